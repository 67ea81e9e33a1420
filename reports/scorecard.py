"""Scorecard exports: the league table and a platform's card as .xlsx (every cell neutralised
against formula injection, importers/safe_export.py) and as PDF (WeasyPrint with the CJK
fonts embedded, reports/pdf.py; charts inline as SVG from reports/charts.py).

Pure: takes :class:`scoring.Scorecard` objects and plain values, no Flask, no database.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Font

from importers.safe_export import xlsx_cell
from scoring import INDICATOR_NAMES, INDICATORS, Scorecard, display_round

__all__ = ["league_xlsx", "card_xlsx", "league_html", "card_html", "league_pdf", "card_pdf", "DOCUMENTS_DIR"]

DOCUMENTS_DIR = Path(__file__).resolve().parents[1] / "templates" / "documents"
_BOLD = Font(bold=True)


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(DOCUMENTS_DIR)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["r1"] = lambda v: display_round(v) if v is not None else "—"
    from reports.pdf import HEI_FONT, SONG_FONT

    # Font stacks go into a <style> block: marked safe, or autoescaping turns their quotes into
    # &#34; and WeasyPrint drops the declarations (the PDF then falls back to any font).
    env.globals.update(INDICATORS=INDICATORS, INDICATOR_NAMES=INDICATOR_NAMES, SONG_FONT=Markup(SONG_FONT),
                       HEI_FONT=Markup(HEI_FONT))
    return env


def _num(value: float | None, places: int = 1) -> float | None:
    """The displayed (half-up rounded) value as a number, for spreadsheet cells."""
    return None if value is None else float(display_round(value, places))


def _change_text(change: float | None) -> str:
    if change is None:
        return "—"
    text = display_round(change)
    return text if text.startswith("-") else "+" + text


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header(ws, values: Sequence[str]) -> None:
    ws.append([xlsx_cell(ws, v, font=_BOLD) for v in values])


def _meta_rows(ws, title: str, meta: Mapping[str, object]) -> None:
    ws.append([xlsx_cell(ws, title, font=Font(bold=True, size=14))])
    for label, value in meta.items():
        ws.append([xlsx_cell(ws, label), xlsx_cell(ws, value)])
    ws.append([])


LEAGUE_HEADER = ("排名", "平台代码", "平台名称", "得分", "等级", "较上期", "排名区间下限（5%）", "排名区间上限（95%）",
                 *(INDICATOR_NAMES[k] for k in INDICATORS), "扣分")


def league_xlsx(cards: Sequence[Scorecard], *, names: Mapping[str, str], title: str,
                meta: Mapping[str, object]) -> bytes:
    """The league table: one row per platform in league order; scores and indicator values
    rounded as displayed (half-up, one decimal), 未报送 rows with empty numbers."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("评价排名")
    _meta_rows(ws, title, meta)
    _header(ws, LEAGUE_HEADER)
    for c in cards:
        rng = c.rank_range or (None, None)
        values = [_num(c.indicators[k].value) if c.reported else None for k in INDICATORS]
        row = [c.rank, c.platform_code, names.get(c.platform_code, c.platform_code), _num(c.score), c.grade,
               _num(c.change), rng[0], rng[1], *values, _num(c.deduction_total) if c.reported else None]
        ws.append([xlsx_cell(ws, v) for v in row])
    return _save(wb)


def card_xlsx(card: Scorecard, *, name: str, title: str, meta: Mapping[str, object],
              trend: Sequence = (), findings: Sequence = ()) -> bytes:
    """A platform's card: summary, indicators (raw, interval, n, province, value, weight, points
    lost), the monthly trend and the findings behind the lost points.

    ``trend``: objects with ``month``, ``score`` and ``indicators`` (dict); ``findings``:
    objects with ``indicator``, ``rule_code``, ``cohort``, ``count``."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("评分卡")
    rng = card.rank_range
    _meta_rows(ws, title, {
        "平台": name, "平台代码": card.platform_code, "得分": _num(card.score), "等级": card.grade,
        "排名": card.rank, "排名区间（5%–95%）": f"{rng[0]}–{rng[1]}" if rng else "—",
        "较上期": _change_text(card.change), **meta})
    _header(ws, ("指标", "权重", "原始值", "95% 区间下限", "95% 区间上限", "样本数 n", "全省值", "计分值", "失分"))
    for k in INDICATORS:
        ind = card.indicators[k]
        lo, hi = ind.interval or (None, None)
        ws.append([xlsx_cell(ws, v) for v in (
            ind.name, ind.weight, _num(ind.raw), _num(lo), _num(hi), ind.n, _num(ind.province), _num(ind.value),
            _num(ind.points_lost, 2))])
    for code, points in card.deductions.items():
        if points:
            ws.append([xlsx_cell(ws, f"扣分 {code}"), None, None, None, None, None, None, None,
                       xlsx_cell(ws, _num(points, 2))])
    if trend:
        ts = wb.create_sheet("月度趋势")
        _header(ts, ("月份", "得分", *(INDICATOR_NAMES[k] for k in INDICATORS)))
        for p in trend:
            ts.append([xlsx_cell(ts, v) for v in (p.month, _num(p.score),
                                                  *(_num(p.indicators.get(k)) for k in INDICATORS))])
    if findings:
        fs = wb.create_sheet("失分明细")
        _header(fs, ("指标", "规则", "受理月份", "问题数"))
        for f in findings:
            label = INDICATOR_NAMES.get(f.indicator, "扣分项")
            fs.append([xlsx_cell(fs, v) for v in (label, f.rule_code, f.cohort, f.count)])
    return _save(wb)


def league_html(cards: Sequence[Scorecard], *, names: Mapping[str, str], title: str, meta: Mapping[str, object],
                office_name: str, charts: Sequence[str] = (), warnings: Sequence = ()) -> str:
    return _env().get_template("scores_league.html").render(
        cards=cards, names=names, title=title, meta=meta, office_name=office_name, charts=charts,
        warnings=warnings, change_text=_change_text)


def card_html(card: Scorecard, *, name: str, title: str, meta: Mapping[str, object], office_name: str,
              charts: Sequence[str] = (), findings: Sequence = (), complaints: Mapping[str, object] | None = None,
              notices: Sequence[Mapping[str, object]] = ()) -> str:
    return _env().get_template("scores_card.html").render(
        card=card, name=name, title=title, meta=meta, office_name=office_name, charts=charts, findings=findings,
        complaints=complaints or {}, notices=notices, change_text=_change_text)


def _pdf(html: str) -> bytes:
    from reports.pdf import render_pdf

    return render_pdf(html, base_dir=DOCUMENTS_DIR)


def league_pdf(cards: Sequence[Scorecard], **kw) -> bytes:
    """The league table as PDF (A4 landscape); keyword arguments as :func:`league_html`."""
    return _pdf(league_html(cards, **kw))


def card_pdf(card: Scorecard, **kw) -> bytes:
    """A platform's card as PDF (A4 portrait); keyword arguments as :func:`card_html`."""
    return _pdf(card_html(card, **kw))

