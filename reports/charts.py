"""The report's charts, drawn with matplotlib (Agg, no GUI) to SVG.

The figures printed on a chart come from the report's exact values through the locale's
formatters; floats only place bars and lines. Output is deterministic (fixed hash salt, no date
in the metadata), so a chart embedded in a stored report does not change its hash.

Speed: the margins are fixed in inches from the measured width of the axis labels instead of
matplotlib's constrained layout (which lays every text out twice and was three quarters of the
HTML report's time), and each chart is drawn once for the same data and language, so freezing a
report in several formats reuses the charts.
"""

from base64 import b64encode
from io import BytesIO

import matplotlib
from babel.dates import format_date
from babel.numbers import format_decimal
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, num2date
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter

from grants.claims.schedule import CashFlow
from grants.core.i18n import current_locale, format_money, format_percent, gettext
from reports.frames import native, records
from reports.project_report import ProjectReport

CHARTS = ("indicators", "spending", "sources")
WIDTH = 6.7  # inches: the A4 text width
INK, PLAN, ACCENT, MUTED = "#1f3b5c", "#9aa7b4", "#c8553d", "#d9dee3"
_STYLE = {
    "svg.hashsalt": "grants-report",
    "svg.fonttype": "none",  # text stays text: small files, and the PDF's fonts draw it
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
}


def _svg(figure: Figure) -> bytes:
    """Call inside the style's rc_context: the hash salt and font type apply when saving."""
    buffer = BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _figure(height: float) -> Figure:
    """A figure on an Agg canvas of its own: no pyplot, no global state, no GUI."""
    figure = Figure(figsize=(WIDTH, height))
    FigureCanvasAgg(figure)
    return figure


PAD = 0.08  # inches around the figure's edge
TICKS = 0.1  # inches: a tick and its pad
LINE = 0.16  # inches: one line of 8 pt text


def _text_width(figure: Figure, texts: list[str]) -> float:
    """The widest of the texts at the style's font size, in inches (measured, not guessed)."""
    renderer = figure.canvas.get_renderer()
    font = FontProperties(family=_STYLE["font.family"], size=_STYLE["font.size"])
    widest = max(
        (renderer.get_text_width_height_descent(t, font, ismath=False)[0] for t in texts), default=0
    )
    return widest / figure.dpi


def _fit(
    figure: Figure,
    left_labels: list[str],
    *,
    y_label: bool = False,
    top: float = PAD,
    right: float = PAD,
) -> None:
    """Fixed margins: room on the left for the widest y tick label (and the y axis label),
    below for the x tick labels and the x axis label, `top` inches above and `right` inches
    on the right."""
    width, height = figure.get_size_inches()
    left = PAD + TICKS + _text_width(figure, left_labels) + (LINE + 0.04 if y_label else 0)
    bottom = PAD + TICKS + 2 * LINE + 0.04
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
    )


def _euros(value: float, _position: object = None) -> str:
    """A tick label in whole euros, in the locale's style (ticks are positions, not figures)."""
    return format_decimal(round(value / 100), format="#,##0", locale=current_locale())


def indicator_chart(report: ProjectReport) -> bytes | None:
    """Each indicator with a target: % of the target reached to date, against 100 %."""
    rows = [r for r in records(report.indicators) if r["percent_of_target"] is not None]
    if not rows:
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(0.5 + 0.32 * len(rows))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        shares = [float(r["percent_of_target"]) for r in rows]  # bar lengths only; labels exact
        axes.barh(positions, [min(s, 150.0) for s in shares], color=INK, height=0.55)
        axes.axvline(100, color=ACCENT, linewidth=1, linestyle="--")
        for y, row, share in zip(positions, rows, shares, strict=True):
            axes.text(
                min(share, 150.0) + 1.5,
                y,
                format_percent(row["percent_of_target"]),
                va="center",
                fontsize=7,
            )
        axes.set_yticks(positions, [r["code"] for r in rows])
        axes.set_xlim(0, 165)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_percent(round(v), 0)))
        axes.set_xlabel(gettext("% of target"))
        _fit(figure, [r["code"] for r in rows])
        return _svg(figure)


def spending_chart(report: ProjectReport) -> bytes | None:
    """Declared per period (bars) and to date (line) over all the project's periods, against
    the funding plan's total spread evenly over the project's days (a reference, not a
    figure of the report)."""
    rows = records(report.spending)
    if not rows:
        return None
    planned = [native(v) for v in report.sources["planned"]]
    plan = sum(v for v in planned if v is not None)
    done = [r for r in rows if r["to_date"] is not None]
    with matplotlib.rc_context(_STYLE):
        figure = _figure(2.6)
        axes = figure.add_subplot()
        axes.bar(
            [r["period_number"] for r in done],
            [r["declared"] for r in done],
            color=PLAN,
            width=0.6,
            label=gettext("This period"),
        )
        axes.plot(
            [r["period_number"] for r in done],
            [r["to_date"] for r in done],
            color=INK,
            marker="o",
            markersize=3,
            label=gettext("To date"),
        )
        if plan:
            label = gettext("Plan at an even pace, %(total)s in total", total=format_money(plan))
            axes.plot(
                [r["period_number"] for r in rows],
                _even_pace(rows, plan),
                color=ACCENT,
                linewidth=1,
                linestyle="--",
                label=label,
            )
        numbers = [r["period_number"] for r in rows]
        axes.set_xticks(numbers, [str(n) for n in numbers])
        axes.set_xlabel(gettext("Reporting period"))
        axes.set_ylabel("EUR")
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_formatter(FuncFormatter(_euros))
        axes.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize=7
        )
        bottom, top = axes.get_ylim()
        ticks = [_euros(v) for v in axes.get_yticks() if bottom <= v <= top]
        _fit(figure, ticks, y_label=True, top=PAD + 2 * LINE)
        return _svg(figure)


def _even_pace(rows: list[dict], plan: int) -> list[float]:
    """The plan as it would be spent at an even pace: its share of the project's days by
    each period's end."""
    first = rows[0]["start"]
    days = (rows[-1]["end"] - first).days + 1
    return [plan * ((r["end"] - first).days + 1) / days for r in rows]


def source_chart(report: ProjectReport) -> bytes | None:
    """Per funding source: planned and declared to date, with the absorption printed."""
    rows = records(report.sources)
    if not rows:
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(0.6 + 0.45 * len(rows))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        axes.barh(
            [y + 0.18 for y in positions],
            [r["planned"] or 0 for r in rows],
            height=0.34,
            color=MUTED,
            label=gettext("Plan"),
        )
        axes.barh(
            [y - 0.18 for y in positions],
            [r["to_date"] for r in rows],
            height=0.34,
            color=INK,
            label=gettext("To date"),
        )
        for y, row in zip(positions, rows, strict=True):
            axes.text(
                max(row["planned"] or 0, row["to_date"]),
                y,
                f"  {format_percent(row['absorption'])}",
                va="center",
                fontsize=7,
            )
        axes.set_yticks(positions, [r["source"] for r in rows])
        axes.xaxis.set_major_formatter(FuncFormatter(_euros))
        axes.set_xlabel("EUR")
        axes.margins(x=0.15)
        axes.legend(loc="lower right", frameon=False, fontsize=7)
        low, high = axes.get_xlim()
        last = [_euros(v) for v in axes.get_xticks() if low <= v <= high][-1:]
        _fit(figure, [r["source"] for r in rows], right=PAD + _text_width(figure, last) / 2)
        return _svg(figure)


def data_uri(svg: bytes | None) -> str | None:
    """An SVG as a data: URI for an <img>, so the HTML and the PDF carry their charts."""
    return None if svg is None else "data:image/svg+xml;base64," + b64encode(svg).decode()


DRAWN: dict[tuple[str, ...], dict[str, str | None]] = {}
KEPT = 8  # DRAWN keeps the charts of the last few reports (the benchmark clears it)


def chart_uris(report: ProjectReport) -> dict[str, str | None]:
    """Every chart of the report as a data URI (None where there is nothing to draw). Drawn
    once for the same figures in the same language: freezing a report renders it in several
    formats, each with the same charts."""
    key = (
        current_locale(),
        repr(records(report.indicators)),
        repr(records(report.spending)),
        repr(records(report.sources)),
    )
    drawn = DRAWN.get(key)
    if drawn is None:
        drawn = {
            "indicators": data_uri(indicator_chart(report)),
            "spending": data_uri(spending_chart(report)),
            "sources": data_uri(source_chart(report)),
        }
        if len(DRAWN) >= KEPT:
            DRAWN.clear()  # simple and safe when reports render in threads
        DRAWN[key] = drawn
    return dict(drawn)


def _month(value: float, _position: object = None) -> str:
    """A date tick as month and year in the locale's style: lv "03.2026", en "Mar 2026"."""
    day = num2date(value).date()
    return format_date(day, "MM.yyyy" if current_locale() == "lv" else "MMM yyyy", current_locale())


def cash_flow_chart(flow: CashFlow) -> bytes | None:
    """Planned claims, claimed and received over time, cumulative steps, with the gap between
    planned and received shaded; the totals in the legend are the exact figures."""
    points = flow.points
    if not points:
        return None
    days = [p.day for p in points]
    series = (
        ("planned", PLAN, "-", gettext("Planned, %(total)s", total=format_money(flow.planned))),
        ("claimed", INK, "--", gettext("Claimed, %(total)s", total=format_money(flow.claimed))),
        (
            "received",
            ACCENT,
            "-",
            gettext("Received, %(total)s", total=format_money(flow.received)),
        ),
    )
    with matplotlib.rc_context(_STYLE):
        figure = _figure(2.8)
        axes = figure.add_subplot()
        planned = [p.planned for p in points]
        received = [p.received for p in points]
        axes.fill_between(
            days,
            received,
            planned,
            step="post",
            color=MUTED,
            alpha=0.6,
            linewidth=0,
            label=gettext("Gap, %(total)s", total=format_money(flow.gap)),
        )
        for name, colour, style, label in series:
            axes.step(
                days,
                [getattr(p, name) for p in points],
                where="post",
                color=colour,
                linestyle=style,
                linewidth=1.4,
                label=label,
            )
        if flow.eligible:
            axes.axhline(flow.eligible, color="#555555", linewidth=0.6, linestyle=":")
        axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
        axes.xaxis.set_major_formatter(FuncFormatter(_month))
        axes.set_ylabel("EUR")
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_formatter(FuncFormatter(_euros))
        axes.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=7
        )
        bottom, top = axes.get_ylim()
        ticks = [_euros(v) for v in axes.get_yticks() if bottom <= v <= top]
        _fit(figure, ticks, y_label=True, top=PAD + 3 * LINE)
        return _svg(figure)


def cash_flow_uri(flow: CashFlow) -> str | None:
    """The cash-flow chart as a data URI; drawn once for the same figures and language."""
    key = ("cash_flow", current_locale(), repr(flow.eligible), repr(flow.points))
    drawn = DRAWN.get(key)
    if drawn is None:
        drawn = {"cash_flow": data_uri(cash_flow_chart(flow))}
        if len(DRAWN) >= KEPT:
            DRAWN.clear()
        DRAWN[key] = drawn
    return drawn["cash_flow"]
