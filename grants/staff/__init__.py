"""Staff costs (CPR Art. 55): people working on a project, their documented annual costs per
year, and monthly timesheets that become staff-cost lines of the expenditure register.

`staff` keeps them: the hourly rate (annual cost ÷ 1 720 hours pro rata), the yearly hours cap,
the fixed-share option, and versioned corrections the register's lines follow.
"""
