"""Payment claims (maksājuma pieprasījumi) and Interreg partner reports: what a project asks
the funder for, what the funder approved and paid, and the advances cleared on the way.

`claims` reads and prepares claims (list, get, create, update, per-project totals);
`workflow` moves them on: submit, return, approve (with deductions), reject, pay.
`schedule` (the planned claim schedule) is separate.
"""
