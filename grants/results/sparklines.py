"""Small inline charts for pages: geometry computed here, so templates only draw."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 120, 32, 3


@dataclass(frozen=True)
class Sparkline:
    points: str  # SVG polyline points
    target_y: float | None  # where the target line goes
    last: tuple[float, float] | None
    width: int = WIDTH
    height: int = HEIGHT


def sparkline(values: list[int | None], target: int | None) -> Sparkline | None:
    """Progress to date per period against the target; None when nothing is logged yet."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return None
    top = max([v for _, v in known] + [target or 0]) or 1
    steps = max(len(values) - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        x = PAD + (WIDTH - 2 * PAD) * i / steps
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / top
        return round(x, 1), round(y, 1)

    coords = [xy(i, v) for i, v in known]
    target_y = xy(0, target)[1] if target else None
    return Sparkline(" ".join(f"{x},{y}" for x, y in coords), target_y, coords[-1])
