"""Server-side SVG charts (line/trend, bars, stacked bars) as plain strings: no JavaScript, no
external files. The same markup is inlined in web pages and in PDFs (WeasyPrint renders inline
SVG); labels are Chinese text in the CJK font stack, so they stay readable and, in PDFs,
extractable.

Every function returns :class:`markupsafe.Markup` (safe to put into a Jinja template as is);
every label and series name is escaped.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

__all__ = ["line_chart", "bar_chart", "stacked_bar_chart", "nice_ticks", "PALETTE", "FONT"]

FONT = '"Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
#: distinguishable colours (also for colour-blind readers: blue/orange first)
PALETTE = ("#1f5fa8", "#e07b24", "#2e8b57", "#c0392b", "#7d5ba6", "#1a9ab0", "#8c6d31", "#d35fa0", "#6b6b6b",
           "#a5a521", "#4a90d9", "#f2b134")
_AXIS = "#8a8f98"
_GRID = "#e3e6ea"
_TEXT = "#333333"
_FONT_SIZE = 12


def _text_width(text: str, size: float = _FONT_SIZE) -> float:
    """Rough rendered width: CJK characters are square, Latin ones about 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return f"{value:.1f}"


def nice_ticks(lo: float, hi: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi] with about ``count`` intervals (steps 1, 2, 2.5, 5 × 10^k;
    whole numbers only when ``integer``, e.g. for counts)."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        raise ValueError("坐标范围必须是有限数")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count)
    if integer:
        raw = max(raw, 1.0)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw and (not integer or m * mag == int(m * mag)))
    first = math.floor(lo / step) * step
    ticks = []
    t = first
    while t < hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 10))
    return ticks


class _Frame:
    """Plot area, title, legend and axes of one chart."""

    def __init__(self, width: int, height: int, title: str, legend: Sequence[str], y_ticks: list[float], unit: str):
        self.width, self.height = width, height
        self.parts: list[str] = []
        self.title = title
        top = 8
        if title:
            top += 20
        self.legend_rows = self._legend_layout(legend, width - 24)
        top += 18 * len(self.legend_rows)
        self.top = top + 8
        label_w = max((_text_width(_fmt(t)) for t in y_ticks), default=20)
        self.left = int(max(36, label_w + 14 + (14 if unit else 0)))
        self.right = 14
        self.bottom = 36
        self.ticks = y_ticks
        self.unit = unit

    @staticmethod
    def _legend_layout(names: Sequence[str], avail: float) -> list[list[tuple[int, str, float]]]:
        rows: list[list[tuple[int, str, float]]] = []
        row: list[tuple[int, str, float]] = []
        x = 0.0
        for i, name in enumerate(names):
            w = 16 + _text_width(name) + 14
            if row and x + w > avail:
                rows.append(row)
                row, x = [], 0.0
            row.append((i, name, x))
            x += w
        if row:
            rows.append(row)
        return rows

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float) -> float:
        lo, hi = self.ticks[0], self.ticks[-1]
        return self.top + self.plot_h * (1 - (value - lo) / (hi - lo))

    def header(self, colors: Sequence[str]) -> None:
        y = 8
        if self.title:
            self.parts.append(f'<text x="{self.width / 2:.1f}" y="{y + 14}" text-anchor="middle" font-size="14" '
                              f'font-weight="bold" fill="{_TEXT}">{escape(self.title)}</text>')
            y += 20
        for row in self.legend_rows:
            width = row[-1][2] + 16 + _text_width(row[-1][1])
            x0 = (self.width - width) / 2
            for i, name, x in row:
                self.parts.append(f'<rect x="{x0 + x:.1f}" y="{y + 3}" width="10" height="10" rx="2" '
                                  f'fill="{colors[i % len(colors)]}"/>')
                self.parts.append(f'<text x="{x0 + x + 14:.1f}" y="{y + 12}" fill="{_TEXT}">{escape(name)}</text>')
            y += 18

    def axes(self) -> None:
        for t in self.ticks:
            y = self.y(t)
            self.parts.append(f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.width - self.right}" y2="{y:.1f}" '
                              f'stroke="{_GRID}" stroke-width="1"/>')
            self.parts.append(f'<text x="{self.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{_TEXT}">'
                              f'{escape(_fmt(t))}</text>')
        base = self.y(self.ticks[0])
        self.parts.append(f'<line x1="{self.left}" y1="{base:.1f}" x2="{self.width - self.right}" y2="{base:.1f}" '
                          f'stroke="{_AXIS}" stroke-width="1"/>')
        if self.unit:
            cx, cy = 12, self.top + self.plot_h / 2
            self.parts.append(f'<text x="{cx}" y="{cy:.1f}" text-anchor="middle" fill="{_TEXT}" '
                              f'transform="rotate(-90 {cx} {cy:.1f})">{escape(self.unit)}</text>')

    def x_labels(self, labels: Sequence[str], centres: Sequence[float]) -> None:
        if not labels:
            return
        slot = self.plot_w / len(labels)
        widest = max(_text_width(lbl) for lbl in labels)
        every = max(1, math.ceil((widest + 6) / slot))
        y = self.height - self.bottom + 18
        for i, (label, cx) in enumerate(zip(labels, centres)):
            if i % every == 0:
                self.parts.append(f'<text x="{cx:.1f}" y="{y}" text-anchor="middle" fill="{_TEXT}">'
                                  f'{escape(label)}</text>')

    def svg(self, body_label: str) -> Markup:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {self.width} {self.height}" '
                f'width="{self.width}" height="{self.height}" role="img" aria-label={quoteattr(body_label)} '
                f'font-family={quoteattr(FONT)} font-size="{_FONT_SIZE}">'
                f'<title>{escape(body_label)}</title>')
        return Markup(head + "".join(self.parts) + "</svg>")

    def empty(self, message: str = "暂无数据") -> None:
        self.parts.append(f'<text x="{self.left + self.plot_w / 2:.1f}" y="{self.top + self.plot_h / 2:.1f}" '
                          f'text-anchor="middle" fill="{_AXIS}">{escape(message)}</text>')


def _range(values: list[float], y_min: float | None, y_max: float | None, zero: bool) -> list[float]:
    lo = min(values) if values else 0.0
    hi = max(values) if values else 1.0
    if zero:
        lo = min(0.0, lo)
    if y_min is not None:
        lo = y_min
    if y_max is not None:
        hi = y_max
    return nice_ticks(lo, hi, integer=all(float(v).is_integer() for v in values) and float(hi).is_integer())


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str = "",
               y_min: float | None = None, y_max: float | None = None, unit: str = "", width: int = 640,
               height: int = 260, colors: Sequence[str] = PALETTE) -> Markup:
    """One line per series over ``labels`` (e.g. months); ``None`` leaves a gap. Each point
    carries a tooltip (``<title>``) with its exact value."""
    values = [float(v) for _, vs in series for v in vs if v is not None]
    frame = _Frame(width, height, title, [name for name, _ in series], _range(values, y_min, y_max, False), unit)
    frame.header(colors)
    frame.axes()
    n = len(labels)
    slot = frame.plot_w / max(1, n)
    xs = [frame.left + slot * (i + 0.5) for i in range(n)]
    if not values:
        frame.empty()
    for s, (name, vs) in enumerate(series):
        color = colors[s % len(colors)]
        path, pen = [], False
        for x, v in zip(xs, vs):
            if v is None:
                pen = False
                continue
            path.append(f'{"L" if pen else "M"}{x:.1f},{frame.y(float(v)):.1f}')
            pen = True
        if path:
            frame.parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2" '
                               'stroke-linejoin="round"/>')
        for label, x, v in zip(labels, xs, vs):
            if v is not None:
                frame.parts.append(f'<circle cx="{x:.1f}" cy="{frame.y(float(v)):.1f}" r="3" fill="{color}">'
                                   f'<title>{escape(f"{name} {label}：{_fmt(float(v))}")}</title></circle>')
    frame.x_labels(labels, xs)
    return frame.svg(title or "折线图")


def bar_chart(labels: Sequence[str], values: Sequence[float | None], *, title: str = "", unit: str = "",
              width: int = 640, height: int = 240, color: str = PALETTE[0], show_values: bool = True) -> Markup:
    """One bar per label; ``None`` draws nothing; values printed above the bars."""
    nums = [float(v) for v in values if v is not None]
    frame = _Frame(width, height, title, [], _range(nums, None, None, True), unit)
    frame.header(PALETTE)
    frame.axes()
    n = len(labels)
    slot = frame.plot_w / max(1, n)
    bar = min(48.0, slot * 0.64)
    xs = [frame.left + slot * (i + 0.5) for i in range(n)]
    if not nums:
        frame.empty()
    zero = frame.y(max(0.0, frame.ticks[0]))
    for label, x, v in zip(labels, xs, values):
        if v is None:
            continue
        y = frame.y(float(v))
        top, h = min(y, zero), abs(zero - y)
        frame.parts.append(f'<rect x="{x - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                           f'fill="{color}"><title>{escape(f"{label}：{_fmt(float(v))}")}</title></rect>')
        if show_values:
            frame.parts.append(f'<text x="{x:.1f}" y="{top - 3:.1f}" text-anchor="middle" font-size="11" '
                               f'fill="{_TEXT}">{escape(_fmt(float(v)))}</text>')
    frame.x_labels(labels, xs)
    return frame.svg(title or "柱状图")


def stacked_bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str = "",
                      unit: str = "", width: int = 640, height: int = 280,
                      colors: Sequence[str] = PALETTE) -> Markup:
    """Bars of non-negative parts stacked per label, one colour per series, with a legend and
    the total above each bar."""
    n = len(labels)
    totals = [sum(float(vs[i] or 0) for _, vs in series) for i in range(n)]
    if any(float(v or 0) < 0 for _, vs in series for v in vs):
        raise ValueError("堆叠柱状图的数值不得为负")
    frame = _Frame(width, height, title, [name for name, _ in series], _range(totals, None, None, True), unit)
    frame.header(colors)
    frame.axes()
    slot = frame.plot_w / max(1, n)
    bar = min(48.0, slot * 0.64)
    xs = [frame.left + slot * (i + 0.5) for i in range(n)]
    if not any(totals):
        frame.empty()
    for i, (label, x) in enumerate(zip(labels, xs)):
        acc = 0.0
        for s, (name, vs) in enumerate(series):
            v = float(vs[i] or 0)
            if v <= 0:
                continue
            y_top, y_bottom = frame.y(acc + v), frame.y(acc)
            frame.parts.append(f'<rect x="{x - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                               f'height="{y_bottom - y_top:.1f}" fill="{colors[s % len(colors)]}">'
                               f'<title>{escape(f"{label} {name}：{_fmt(v)}")}</title></rect>')
            acc += v
        if totals[i]:
            frame.parts.append(f'<text x="{x:.1f}" y="{frame.y(totals[i]) - 3:.1f}" text-anchor="middle" '
                               f'font-size="11" fill="{_TEXT}">{escape(_fmt(totals[i]))}</text>')
    frame.x_labels(labels, xs)
    return frame.svg(title or "堆叠柱状图")
