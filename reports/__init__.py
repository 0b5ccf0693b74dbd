"""Funder and portfolio reports: domain data → pandas frames → HTML / PDF / XLSX / CSV.

`project_report.build_project_report` collects one period's progress report into frames (money
in integer cents, percentages Decimal); `render_html`, `render_pdf`, `render_xlsx` and
`render_csv` turn a report into bytes in its language; `charts` draws its SVG charts;
`portfolio_report` and `render_portfolio` do the same for the portfolio; `versions` freezes a
period's report on submission and serves its files. Import the modules you need: the
renderers pull in WeasyPrint and matplotlib.

The dependency runs one way: `reports` reads data only through domain functions (never
`grants.tables`, never a Piccolo query), and of `grants` only the web layer (`grants.app`,
`grants.web`, `grants.controllers`) and the CLI import `reports`. `tests/core/test_boundaries.py`
enforces both.
"""
