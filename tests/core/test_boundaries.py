"""The dependency between the domain and `reports/` runs one way.

- Of `grants`, only the web layer (`grants/app.py`, `grants/web/`, `grants/controllers/`) and
  the CLI (`grants/cli.py`) import `reports`: the domain never does, not even inside a function.
- `reports/` reads data through domain functions only: it imports neither `grants.tables` nor
  `piccolo`, nor a table class through another module.

Read from the source (AST), nothing is imported. The synthetic cases show the check fails.
"""

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
MAY_IMPORT_REPORTS = ("grants/app.py", "grants/cli.py", "grants/controllers/", "grants/web/")
IMPORTERS = {"import_module", "__import__"}  # importlib.import_module("…"), __import__("…")


def modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: str) -> str:
    """grants/projects/reports.py → grants.projects.reports; a package's __init__ → the package."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, path: str) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything the module imports, wherever the import statement is;
    `from a import b` gives both a and a.b (b may be a module); relative imports are resolved."""
    name = module_name(path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in IMPORTERS and isinstance(first, ast.Constant) and type(first.value) is str:
                yield node.lineno, first.value


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def table_classes() -> set[str]:
    """The Piccolo table classes defined in grants/tables/."""
    names = set()
    for path in modules("grants/tables"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                (base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")) == "Table"
                for base in node.bases
            ):
                names.add(node.name)
    return names


def domain_violations(source: str, path: str) -> list[str]:
    """`path:line imports …` for every import of `reports` by a module that must not."""
    if path.startswith(MAY_IMPORT_REPORTS):
        return []
    return _by_line(path, (i for i in imports(source, path) if under(i[1], "reports")))


def reports_violations(source: str, path: str, tables: set[str]) -> list[str]:
    """`path:line imports …` for every read past the domain by a module of `reports/`."""
    return _by_line(
        path,
        (
            (line, name)
            for line, name in imports(source, path)
            if under(name, "grants.tables")
            or under(name, "piccolo")
            or (under(name, "grants") and name.rpartition(".")[2] in tables)
        ),
    )


def _by_line(path: str, found: Iterable[tuple[int, str]]) -> list[str]:
    """One `path:line imports name` per offending statement (its first offending name)."""
    first: dict[int, str] = {}
    for line, name in found:
        first.setdefault(line, name)
    return [f"{path}:{line} imports {name}" for line, name in sorted(first.items())]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_only_the_web_layer_and_the_cli_import_reports():
    found = modules("grants")
    assert len(found) > 50 and ROOT / "grants/projects/reports.py" in found
    violations = [
        v for p in found for v in domain_violations(p.read_text(encoding="utf-8"), relative(p))
    ]
    assert not violations, "the domain must not import reports/:\n" + "\n".join(violations)


def test_reports_read_through_the_domain_only():
    found = modules("reports")
    assert ROOT / "reports/versions.py" in found and ROOT / "reports/portfolio_report.py" in found
    tables = table_classes()
    assert {"Expenditure", "Participant", "ReportVersion", "PeriodNarrative"} <= tables
    violations = [
        v
        for p in found
        for v in reports_violations(p.read_text(encoding="utf-8"), relative(p), tables)
    ]
    assert not violations, "reports/ must read through domain functions:\n" + "\n".join(violations)


def test_the_check_sees_the_web_layers_real_imports():
    """The allowed importers really import reports, and the walk finds it (also in functions)."""
    for path in ("grants/cli.py", "grants/controllers/reports_api.py"):
        source = (ROOT / path).read_text(encoding="utf-8")
        assert any(under(name, "reports") for _, name in imports(source, path)), path
        assert domain_violations(source, path) == []
        assert domain_violations(source, path.replace("grants/", "grants/finance/", 1))


@pytest.mark.parametrize(
    "source",
    [
        "import reports",
        "import reports.versions as v",
        "from reports.project_report import NARRATIVE",
        "from reports import versions",
        "def f():\n    from reports.versions import report_file\n",
        "async def f():\n    if True:\n        import reports.render_pdf\n",
        "import importlib\nimportlib.import_module('reports.versions')",
        "__import__('reports')",
    ],
)
def test_a_domain_module_importing_reports_fails(source):
    [violation] = domain_violations(source, "grants/finance/budget.py")
    assert violation.startswith("grants/finance/budget.py:")
    assert domain_violations(source, "grants/controllers/reports_api.py") == []
    assert domain_violations(source, "grants/web/__init__.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "import reportsx",
        "from grants.projects import reports",
        "from grants.projects.reports import NARRATIVE",
        "from . import reports",  # grants.finance.reports
        "from ..projects.reports import store_version",
        "x = 'reports.versions'",
    ],
)
def test_imports_that_merely_look_like_reports_pass(source):
    assert domain_violations(source, "grants/finance/budget.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "from grants.tables.expenditures import Expenditure",
        "import grants.tables.participants",
        "from grants import tables",
        "from grants.tables import reports as stored",
        "from piccolo.query.functions.aggregate import Sum",
        "def f():\n    import piccolo\n",
        "from grants.finance.expenditures import Expenditure",  # a table through the domain
    ],
)
def test_a_report_module_reading_tables_fails(source):
    assert reports_violations(source, "reports/x.py", table_classes())


@pytest.mark.parametrize(
    "source",
    [
        "from grants.finance.expenditures import declared_totals",
        "from grants.projects.reports import NARRATIVE, narrative",
        "from grants.db import write_transaction",
        "from .frames import records",
    ],
)
def test_a_report_module_using_domain_functions_passes(source):
    assert reports_violations(source, "reports/x.py", table_classes()) == []
