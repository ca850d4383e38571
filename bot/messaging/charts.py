"""Ranking charts as PNG bytes.

Drawn with matplotlib's object API on the Agg canvas and never through pyplot, whose global state is not
thread-safe: the sender runs renderers in worker threads. Names are Chinese, so labels need a font with CJK
glyphs; where none is installed the bars are labelled with unit codes and text the fonts cannot draw is left
out of the image (the message text beside it carries the names).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CJK_PROBE = 0x6751       # a common character of village names (cun, village)
UNASSIGNED = 0x0378     # no real font maps it; matplotlib's own "Last Resort" placeholder font maps everything
PART_COLOURS = ("#2e7d32", "#1565c0", "#f9a825", "#8e24aa")
BAR_INCHES = 0.32
WIDTH_INCHES = 8.0
DPI = 110


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None."""
    # matplotlib is imported when the first chart is drawn, not at every start of the bot (a third of a second)
    from matplotlib import font_manager, ft2font

    for entry in font_manager.fontManager.ttflist:
        try:
            charmap = ft2font.FT2Font(entry.fname).get_charmap()
        except (OSError, RuntimeError):
            continue
        if CJK_PROBE in charmap and UNASSIGNED not in charmap:
            return str(entry.name)
    return None


@dataclass(frozen=True)
class Bar:
    name: str                       # shown when a font can draw it
    code: str                       # shown otherwise
    values: tuple[float, ...]       # stacked segments (points per part), or one value
    low: float | None = None        # a range drawn over the bar (worst and best month)
    high: float | None = None


def _drawable(text: str, family: str | None) -> bool:
    return family is not None or text.isascii()


def _axes(count: int, title: str, family: str | None) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, 1.6 + BAR_INCHES * max(count, 3)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if _drawable(title, family):
        axes.set_title(title, fontfamily=family)
    axes.set_xlim(0, 108)  # room for the value printed after a full bar
    axes.set_xticks(range(0, 101, 20))
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    return figure, axes


def _label_bars(axes: Axes, bars: Sequence[Bar], totals: Sequence[float], family: str | None) -> None:
    axes.set_yticks(range(len(bars)), labels=[bar.name if _drawable(bar.name, family) else bar.code
                                              for bar in bars], fontfamily=family)
    axes.invert_yaxis()  # the best first, at the top
    for y, (bar, total) in enumerate(zip(bars, totals, strict=True)):
        axes.text(min(max(total, bar.high or 0.0), 100) + 0.8, y, f"{total:.1f}", va="center", fontsize=8)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def stacked_bars(bars: Sequence[Bar], *, title: str, legend: Sequence[str]) -> bytes:
    """Horizontal bars, one per unit, stacked by the points of each part of its score."""
    family = cjk_family()
    figure, axes = _axes(len(bars), title, family)
    left = [0.0] * len(bars)
    for index, label in enumerate(legend):
        widths = [bar.values[index] for bar in bars]
        axes.barh(range(len(bars)), widths, left=left, color=PART_COLOURS[index % len(PART_COLOURS)],
                  label=label if _drawable(label, family) else None, height=0.7)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    _label_bars(axes, bars, left, family)
    if all(_drawable(label, family) for label in legend):
        figure.legend(loc="outside lower center", ncols=len(legend),
                      prop={"family": family, "size": 8} if family else {"size": 8})
    return _png(figure)


def range_bars(bars: Sequence[Bar], *, title: str) -> bytes:
    """Horizontal bars of one value each (a yearly average), with a line from the worst to the best month."""
    family = cjk_family()
    figure, axes = _axes(len(bars), title, family)
    values = [bar.values[0] for bar in bars]
    axes.barh(range(len(bars)), values, color=PART_COLOURS[1], height=0.7)
    for y, bar in enumerate(bars):
        if bar.low is not None and bar.high is not None:
            axes.plot([bar.low, bar.high], [y, y], color="#333333", linewidth=1.2, marker="|", markersize=8)
    _label_bars(axes, bars, values, family)
    return _png(figure)
