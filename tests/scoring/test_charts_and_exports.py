"""Server-side SVG charts and the scorecard exports (.xlsx, PDF), without the app."""
import io
import re

from reports import pdf as pdf_fonts
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from reports import charts, scorecard
from scoring import ScoringInput, compute_league

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_nice_ticks():
    assert charts.nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(0, 1380) == [0, 500, 1000, 1500]
    assert charts.nice_ticks(0, 1, integer=True) == [0, 1]
    assert charts.nice_ticks(5, 5) == [5, 5.2, 5.4, 5.6, 5.8, 6]


def test_line_chart_is_valid_svg_with_escaped_chinese_labels_and_gaps():
    svg = charts.line_chart(["7月", "8月", "9月"], [("得分<b>", [80.0, None, 90.0]), ("办理时效", [70, 75, 72])],
                            title="趋势 & 变化", y_min=0, y_max=100)
    root = parse(svg)  # well-formed XML: labels escaped
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "趋势 & 变化" in texts and "得分<b>" in texts and "8月" in texts
    paths = [p.get("d") for p in root.iter(SVG + "path")]
    # the first series has a gap: two separate sub-paths (M…M), the second one line
    assert paths[0].count("M") == 2 and paths[1].count("M") == 1
    assert len(list(root.iter(SVG + "circle"))) == 5
    assert "Noto Sans CJK SC" in root.get("font-family")


def test_bar_and_stacked_bar_totals():
    root = parse(charts.stacked_bar_chart(["A", "B"], [("甲", [1, 2]), ("乙", [3, 0])], title="堆叠"))
    rects = [r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]
    assert [r.find(SVG + "title").text for r in rects] == ["A 甲：1", "A 乙：3", "B 甲：2"]
    assert {"4", "2"} <= {t.text for t in root.iter(SVG + "text")}
    with pytest.raises(ValueError, match="不得为负"):
        charts.stacked_bar_chart(["A"], [("甲", [-1])])
    root = parse(charts.bar_chart(["A", "B"], [3, None]))
    assert len([r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]) == 1


def test_empty_chart_says_so():
    assert "暂无数据" in str(charts.line_chart(["1月"], [("得分", [None])]))


def _cards():
    return compute_league([
        ScoringInput("pa", timeliness_total=50, timeliness_ok=45, concluded_total=40, correctness_ok=38,
                     feedback_ok=40, received_total=50, process_ok=50),
        ScoringInput("pb", timeliness_total=50, timeliness_ok=30, concluded_total=40, correctness_ok=30,
                     feedback_ok=35, received_total=50, process_ok=45, led02=1),
        ScoringInput("pc", months_reported=0),
    ])


NAMES = {"pa": "=HYPERLINK(\"http://x.example\",\"点我\")", "pb": "乙平台", "pc": "丙平台"}


def test_league_xlsx_values_and_formula_injection():
    cards = _cards()
    data = scorecard.league_xlsx(cards, names=NAMES, title="评价排名（2026年9月）", meta={"期间": "2026年9月"})
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(tuple(scorecard.LEAGUE_HEADER))
    body = rows[header + 1:]
    assert [r[1] for r in body] == ["pa", "pb", "pc"]
    assert body[0][3] == float(cards[0].display_score) and body[0][4] == cards[0].grade and body[0][0] == 1
    assert body[1][-1] == 5.0  # LED-02 deduction
    assert body[2][3] is None and body[2][4] == "未报送"
    cell = ws.cell(row=header + 2, column=3)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix


def test_card_xlsx_has_indicators_trend_and_findings():
    from types import SimpleNamespace as NS

    card = _cards()[1]
    trend = [NS(month="2026-08", score=None, indicators={}), NS(month="2026-09", score=card.score,
                                                                  indicators={"timeliness": 61.0})]
    findings = [NS(indicator="timeliness", rule_code="TIM-01", cohort="2026-09", count=20)]
    data = scorecard.card_xlsx(card, name="乙平台", title="评分卡", meta={"期间": "2026年9月"}, trend=trend,
                               findings=findings)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["评分卡", "月度趋势", "失分明细"]
    rows = list(wb["评分卡"].iter_rows(values_only=True))
    timeliness = next(r for r in rows if r[0] == "办理时效")
    ind = card.indicators["timeliness"]
    assert timeliness[1] == 25 and timeliness[2] == 60.0 and timeliness[5] == 50
    assert timeliness[7] == float(f"{ind.value:.1f}")
    assert list(wb["失分明细"].iter_rows(values_only=True))[1] == ("办理时效", "TIM-01", "2026-09", 20)
    assert list(wb["月度趋势"].iter_rows(values_only=True))[2][:3] == ("2026-09", float(card.display_score), 61.0)


def _pdf_tools():
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.fail("poppler-utils (pdftotext, pdffonts) must be installed")


def test_league_pdf_has_chinese_text_embedded_fonts_and_charts(tmp_path):
    _pdf_tools()
    chart = charts.bar_chart(["7月", "8月"], [3, 5], title="网民投诉量（件）")
    pdf = scorecard.league_pdf(_cards(), names=NAMES, title="网站平台举报处置工作评价排名（2026年9月）",
                               meta={"期间": "2026年9月", "状态": "正式"}, office_name="省互联网信息办公室",
                               charts=[chart])
    path = tmp_path / "league.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for fragment in ("省互联网信息办公室", "评价排名（2026年9月）", "乙平台", "未报送", "网民投诉量（件）", "排名区间"):
        assert fragment in text, fragment
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(re.search(r"\syes\s+yes\s+yes\s", line) for line in cjk), fonts
    # The style sheet's font stacks reach WeasyPrint as CSS (not HTML-escaped into &#34;, which
    # it drops, leaving the fonts to chance).
    html = scorecard.league_html(_cards(), names=NAMES, title="排名", meta={}, office_name="省互联网信息办公室")
    assert f"font-family: {pdf_fonts.SONG_FONT};" in html and f"font-family: {pdf_fonts.HEI_FONT};" in html


def test_card_pdf_lists_indicators_and_findings(tmp_path):
    from types import SimpleNamespace as NS

    _pdf_tools()
    card = _cards()[1]
    pdf = scorecard.card_pdf(card, name="乙平台", title="乙平台评分卡（2026年9月）", meta={"期间": "2026年9月"},
                             office_name="省互联网信息办公室",
                             findings=[NS(indicator="timeliness", rule_code="TIM-01", cohort="2026-09", count=20)],
                             complaints={"收到投诉（件）": 3}, notices=[{"编号": "网信整改〔2026〕1号", "状态": "已签发"}])
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for fragment in ("乙平台评分卡", "办理时效", "群众满意度", "TIM-01", "收到投诉（件）", "网信整改〔2026〕1号", "扣分 LED-02"):
        assert fragment in text, fragment
