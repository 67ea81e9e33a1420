"""Bulletins (通报) as documents: the stored figures turned into the tables a reader sees
(small cells suppressed, month-on-month and year-on-year change, handling-time bands, charts
from ``reports.charts`` as on the dashboard), and the document as an HTML fragment (the public
page) and as PDF (WeasyPrint through ``reports.pdf``, CJK fonts embedded).

Plain data in, text or bytes out: no Flask, no database. The editor's text arrives sanitised
(``standard.bulletins.sanitise``) and is sanitised again here before it is marked safe.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from reports import charts, pdf
from scoring import ScoringInput
from supervision.standard import bulletins as std
from supervision.standard.notices import chinese_ordinal

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
CSS_FILE = STATIC_DIR / "documents" / "bulletin.css"
TEMPLATE = "documents/bulletin.html"

#: The province-wide counts of one month a monthly bulletin keeps (sums of the scorecard inputs).
SUMMED = ("received_total", "concluded_total", "timeliness_total", "timeliness_ok", "feedback_ok",
          "complaints_substantiated")
RATING_LABELS = ("1星", "2星", "3星", "4星", "5星")


def sum_inputs(inputs: Sequence[ScoringInput]) -> dict[str, int]:
    """Σ over the platforms of the scorecard inputs a bulletin reports, ratings per star."""
    names = {f.name for f in fields(ScoringInput)}
    out = {k: sum(int(getattr(i, k)) for i in inputs) for k in SUMMED if k in names}
    out["ratings"] = [sum(int(i.ratings[s]) for i in inputs) for s in range(5)]
    return out


# What a reader sees ---------------------------------------------------------------------------------

def cell(n: int | str | None) -> str:
    """A count as printed: the mark of a suppressed cell as it is, "<5" for None."""
    if isinstance(n, str):
        return n
    return std.SUPPRESSED if n is None else f"{n:,}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    mom: str = ""  # 环比
    yoy: str = ""  # 同比


def _breakdown(current: Mapping[str, int], previous: Mapping[str, int] | None,
               last_year: Mapping[str, int] | None, order: Sequence[str] = ()) -> tuple[list[Row], list]:
    """Rows of one breakdown with small cells suppressed (and the change only where both
    months' cells are publishable), and the chart values (None where suppressed)."""
    shown = std.suppress_cells(current)
    prev = std.suppress_cells(previous or {})
    last = std.suppress_cells(last_year or {})
    keys = [k for k in order if k in current] + sorted(k for k in current if k not in order)
    rows, values = [], []
    for k in keys:
        v = std.shown(shown[k])
        rows.append(Row(k, cell(shown[k]), std.change_text(v, std.shown(prev.get(k))),
                        std.change_text(v, std.shown(last.get(k)))))
        values.append(v)
    return rows, values


def _total_row(label: str, key: str, months: Mapping[str, dict | None]) -> Row:
    cur, prev, last = (None if months[m] is None else months[m].get(key) for m in ("current", "previous", "last_year"))
    value = None if std.is_small(cur) else cur
    return Row(label, cell(value), std.change_text(value, None if std.is_small(prev) else prev),
               std.change_text(value, None if std.is_small(last) else last))


def _rate_row(label: str, ok_key: str, total_key: str, months: Mapping[str, dict | None]) -> Row:
    def rate(m):
        return None if m is None else std.share(m.get(ok_key, 0), m.get(total_key, 0))

    cur = rate(months["current"])
    return Row(label, pct(cur), std.point_change_text(cur, rate(months["previous"])),
               std.point_change_text(cur, rate(months["last_year"])))


@dataclass
class MonthlyView:
    period_text: str
    provisional: bool
    totals: list[Row]
    categories: list[Row]
    category_chart: Markup
    measures: list[Row]
    rates: list[Row]
    bands: list[Row]
    band_chart: Markup | None
    bands_note: str
    complaints: list[Row]
    satisfaction: list[Row]
    grades: list[dict]


def monthly_view(figures: Mapping) -> MonthlyView:
    months = {"current": figures["months"]["current"], "previous": figures["months"].get("previous"),
              "last_year": figures["months"].get("last_year")}
    cur = months["current"]
    categories, cat_values = _breakdown(cur["categories"], (months["previous"] or {}).get("categories"),
                                        (months["last_year"] or {}).get("categories"), figures.get("category_order", ()))
    measures, _ = _breakdown(cur["measures"], (months["previous"] or {}).get("measures"),
                             (months["last_year"] or {}).get("measures"), figures.get("measure_order", ()))
    bands = figures.get("bands")
    band_rows, band_chart, note = [], None, ""
    if bands is not None:
        shown = std.suppress_cells(bands)
        total = sum(bands.values())
        band_rows = [Row(k, cell(shown[k]), pct(std.share(bands[k], total) if std.shown(shown[k]) is not None
                                                else None)) for k in std.BANDS]
        band_chart = charts.bar_chart(list(std.BANDS), [std.shown(shown[k]) for k in std.BANDS],
                                      title="办结举报的办理用时分布", unit="件", width=600, height=220)
        if figures.get("bands_unknown"):
            note = f"另有 {cell(None if std.is_small(figures['bands_unknown']) else figures['bands_unknown'])} 件因工作日历缺少年份未计入用时分布。"
    else:
        note = "工作日历缺少所需年份，暂无法统计办理用时分布。"
    ratings = cur.get("ratings", [0] * 5)
    n_ratings = sum(ratings)
    mean = (sum((i + 1) * r for i, r in enumerate(ratings)) / n_ratings) if n_ratings >= std.SMALL_CELL else None
    satisfied = std.share(ratings[3] + ratings[4], n_ratings)
    satisfaction = [Row("参与满意度测评的投诉", cell(None if std.is_small(n_ratings) else n_ratings)),
                    Row("平均评分（满分5分）", "—" if mean is None else f"{mean:.2f}"),
                    Row("满意率（4星及以上）", pct(satisfied))]
    return MonthlyView(
        period_text=std.month_title(figures["period"]), provisional=bool(figures.get("source", {}).get("provisional")),
        totals=[_total_row("当月受理举报", "received_total", months),
                _total_row("当月办结举报", "concluded_total", months)],
        categories=categories,
        category_chart=charts.bar_chart([r.label for r in categories], cat_values, title="当月受理举报（按侵权类别）",
                                        unit="件", width=600, height=240),
        measures=measures,
        rates=[_rate_row("按时办理率", "timeliness_ok", "timeliness_total", months),
               _rate_row("按时反馈率", "feedback_ok", "concluded_total", months)],
        bands=band_rows, band_chart=band_chart, bands_note=note,
        complaints=[_total_row("收到网民投诉", "complaints_received", months),
                    _total_row("办结投诉", "complaints_closed", months),
                    _total_row("查实投诉（成立或部分成立）", "complaints_substantiated", months)],
        satisfaction=satisfaction,
        grades=list(figures.get("grades", [])),
    )


@dataclass
class InspectionView:
    audit_title: str
    kind_label: str
    months_text: str
    platforms: list[dict]
    rules: list[dict]
    grade_period_text: str


def inspection_view(figures: Mapping) -> InspectionView:
    a = figures["audit"]
    months = (std.month_title(a["period_from"]) if a["period_from"] == a["period_to"]
              else f"{std.month_title(a['period_from'])}至{std.month_title(a['period_to'])}")
    return InspectionView(a["title"], a["kind_label"], months, list(figures["platforms"]), list(figures["rules"]),
                          std.month_title(a["period_to"]))


# The document ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    title: str
    text: str  # sanitised rich text
    platform: str = ""


@dataclass
class BulletinDocument:
    authority: str
    kind: str
    title: str
    intro: str
    analysis: str
    closing: str
    figures: Mapping
    cases: list[Case] = field(default_factory=list)
    date_text: str | None = None  # 发布日期; None in a draft
    draft: bool = False
    corrects: str = ""  # the title and date of the bulletin this one corrects
    correction_note: str = ""

    def rich(self, value: str) -> Markup:
        return Markup(std.sanitise(value))

    @property
    def monthly(self) -> MonthlyView | None:
        return monthly_view(self.figures) if self.kind == std.MONTHLY else None

    @property
    def inspection(self) -> InspectionView | None:
        return inspection_view(self.figures) if self.kind == std.INSPECTION else None


@lru_cache(maxsize=4)
def _environment(templates_dir: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def render_fragment(doc: BulletinDocument, *, templates_dir: str | Path = TEMPLATES_DIR) -> str:
    """The document as an ``<article class="bulletin">`` fragment: stored at publication and shown
    on the public page as it was published."""
    env = _environment(str(Path(templates_dir).resolve()))
    return env.get_template(TEMPLATE).render(doc=doc, std=std, chinese_ordinal=chinese_ordinal)


def wrap(fragment: str, title: str, css: str | None = None) -> str:
    """A standalone HTML page around a fragment, with the bulletin style sheet inline."""
    css = CSS_FILE.read_text(encoding="utf-8") if css is None else css
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}'
            f"</title><style>{css}</style></head><body class=\"bulletin-page\">{fragment}</body></html>")


def render_pdf(fragment: str, title: str, *, static_dir: str | Path = STATIC_DIR) -> bytes:
    """The PDF of a rendered fragment (A4, CJK fonts embedded as subsets)."""
    return pdf.render_pdf(wrap(fragment, title), base_dir=static_dir)
