"""Funder and portfolio reports: domain data → pandas frames → HTML / PDF / XLSX / CSV.

`project_report.build_project_report` collects one period's progress report into frames (money
in integer cents, percentages Decimal); `render_html`, `render_pdf`, `render_xlsx` and
`render_csv` turn a report into bytes in its language; `charts` draws its SVG charts. Import
the modules you need: the renderers pull in WeasyPrint and matplotlib.
"""
