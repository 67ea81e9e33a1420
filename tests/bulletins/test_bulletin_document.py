"""The bulletin as a document: tables from the stored figures (small cells suppressed, changes),
escaping and sanitising, the dashboard's chart code, and the PDF with embedded CJK fonts."""
from __future__ import annotations

import re
import subprocess

import pytest

from reports import bulletin as documents
from reports import charts, pdf
from scoring import ScoringInput
from supervision.standard import bulletins as std


def _month(received, categories, measures, complaints=(3, 2, 1), ratings=(0, 0, 1, 2, 3)):
    return {"received_total": received, "concluded_total": received - 10, "timeliness_total": received,
            "timeliness_ok": received - 20, "feedback_ok": received - 15, "complaints_substantiated": complaints[2],
            "complaints_received": complaints[0], "complaints_closed": complaints[1], "ratings": list(ratings),
            "categories": categories, "measures": measures, "platforms": 2, "platforms_reported": 2}


FIGURES = {
    "kind": "monthly", "period": "2026-10",
    "months": {"current": _month(200, {"网络暴力": 150, "侮辱性信息": 47, "泄密性信息": 3}, {"删除": 120, "屏蔽": 2}),
               "previous": _month(180, {"网络暴力": 120, "侮辱性信息": 60}, {"删除": 100, "屏蔽": 30}),
               "last_year": None},
    "bands": {"≤1个工作日": 150, "≤3个工作日": 30, "≤7个工作日": 8, "7个工作日以上": 2}, "bands_unknown": 0,
    "grades": [{"code": "pa", "name": "甲平台", "grade": "良好", "score": "85.3", "rank": 1},
               {"code": "pb", "name": "乙平台<b>", "grade": "未报送", "score": "", "rank": None}],
    "category_order": ["侮辱性信息", "网络暴力", "泄密性信息"], "measure_order": ["删除", "屏蔽"],
    "source": {"provisional": False},
}


def _doc(**kw) -> documents.BulletinDocument:
    values = dict(authority="浙江省互联网信息办公室", kind=std.MONTHLY, title="2026年10月网络侵权信息举报受理处置情况通报",
                  intro="<p>现将情况通报如下。</p>", analysis="", closing="<p>下一步<script>alert(1)</script>工作。</p>",
                  figures=FIGURES, cases=[documents.Case("甲平台超期办结", "<p>某举报超期<img src=x onerror=y>办结。</p>")],
                  date_text="2026年11月20日")
    values.update(kw)
    return documents.BulletinDocument(**values)


def test_sum_inputs_adds_the_platforms_scorecard_counts():
    a = ScoringInput("pa", received_total=10, timeliness_total=9, timeliness_ok=8, concluded_total=7, feedback_ok=6,
                     correctness_ok=5, complaints_substantiated=1, ratings=(1, 0, 0, 0, 2))
    b = ScoringInput("pb", received_total=5, timeliness_total=5, timeliness_ok=5, concluded_total=5, feedback_ok=5,
                     correctness_ok=5, ratings=(0, 0, 0, 1, 0))
    assert documents.sum_inputs([a, b]) == {"received_total": 15, "concluded_total": 12, "timeliness_total": 14,
                                           "timeliness_ok": 13, "feedback_ok": 11, "complaints_substantiated": 1,
                                           "ratings": [1, 0, 0, 1, 2]}


def test_monthly_view_suppresses_small_cells_and_compares_months():
    view = documents.monthly_view(FIGURES)
    cats = {r.label: r for r in view.categories}
    assert [r.label for r in view.categories] == ["侮辱性信息", "网络暴力", "泄密性信息"]  # the spec's order
    # 泄密性信息 has 3: suppressed, and so is the next smallest cell, so the total cannot give it away.
    assert (cats["泄密性信息"].value, cats["侮辱性信息"].value) == ("<5", "*")
    assert (cats["网络暴力"].value, cats["网络暴力"].mom, cats["网络暴力"].yoy) == ("150", "增长25.0%", "—")
    assert cats["侮辱性信息"].mom == "—"  # no change shown for a suppressed cell
    measures = {r.label: r for r in view.measures}
    assert measures["屏蔽"].value == "<5" and measures["删除"].value == "*"
    assert [r.value for r in view.totals] == ["200", "190"] and view.totals[0].mom == "增长11.1%"
    assert [r.value for r in view.rates] == ["90.0%", "97.4%"]
    assert (view.rates[0].mom, view.rates[1].mom) == ("上升1.1个百分点", "上升0.3个百分点")
    assert [(r.label, r.value, r.mom) for r in view.bands] == [
        ("≤1个工作日", "150", "78.9%"), ("≤3个工作日", "30", "15.8%"), ("≤7个工作日", "*", "—"),
        ("7个工作日以上", "<5", "—")]
    # Complaints are few here: suppressed; the six ratings are enough for a mean.
    assert [r.value for r in view.complaints] == ["<5", "<5", "<5"]
    assert [r.value for r in view.satisfaction] == ["6", "4.33", "83.3%"]


def test_the_charts_are_the_dashboards():
    view = documents.monthly_view(FIGURES)
    expected = charts.bar_chart(["侮辱性信息", "网络暴力", "泄密性信息"], [None, 150, None],
                                title="当月受理举报（按侵权类别）", unit="件", width=600, height=240)
    assert view.category_chart == expected


def test_fragment_escapes_values_and_sanitises_the_editors_text():
    html = documents.render_fragment(_doc(title="通报<script>alert(1)</script>"))
    assert "<script>" not in html and "&lt;script&gt;" in html  # the title is escaped
    assert "onerror" not in html and "<img" not in html  # the case's rich text is sanitised
    assert "乙平台&lt;b&gt;" in html and "未报送" in html
    for text in ("一、举报受理处置总体情况", "二、办理时效与反馈", "三、网民投诉办理情况", "四、网站平台评价等级",
                 "五、典型案例", "案例一：甲平台超期办结", "六、下一步工作", "不足5件的数据以“&lt;5”表示"):
        assert text in html, text
    assert "草稿" not in html
    draft = documents.render_fragment(_doc(date_text=None, draft=True))
    assert "草稿" in draft and "（发布时填写日期）" in draft


def test_inspection_view():
    figures = {"kind": "inspection", "audit": {"id": 1, "title": "2026年第三季度全面检查", "kind_label": "全面检查",
                                               "period_from": "2026-07", "period_to": "2026-09"},
               "platforms": [{"code": "pa", "name": "甲平台", "conclusion": "控制有效", "grade": "良好", "score": "85.0",
                              "problems": 3, "by_status": {"整改中": 2, "已整改": 1},
                              "notices": [{"number": "省网信办整改〔2026〕1号", "status": "已签发"}]}],
               "rules": [{"code": "TIM-01", "name": "简单件超期办结", "count": 3, "platforms": 1}]}
    html = documents.render_fragment(_doc(kind=std.INSPECTION, figures=figures, title="关于全面检查情况的通报"))
    assert "2026年7月至2026年9月" in html and "控制有效" in html and "省网信办整改〔2026〕1号（已签发）" in html
    assert "TIM-01 简单件超期办结" in html and "2026年9月评价等级" in html


def _run(*args) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    path = tmp_path_factory.mktemp("bulletin") / "b.pdf"
    path.write_bytes(documents.render_pdf(documents.render_fragment(_doc()), "通报"))
    return path


def test_pdf_is_a4_with_embedded_cjk_fonts_and_chinese_text(rendered):
    info = _run("pdfinfo", str(rendered))
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info), info
    fonts = _run("pdffonts", str(rendered)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in fonts), fonts  # emb, sub, uni
    assert "Noto-Serif-CJK-SC" in " ".join(fonts) and "Noto-Sans-CJK-SC" in " ".join(fonts)
    text = "".join(_run("pdftotext", str(rendered), "-").split())
    for expected in ("浙江省互联网信息办公室", "2026年10月网络侵权信息举报受理处置情况通报", "网络暴力", "≤1个工作日",
                     "案例一：甲平台超期办结", "2026年11月20日"):
        assert expected in text, expected


def test_stylesheet_uses_the_shared_font_stacks():
    css = documents.CSS_FILE.read_text(encoding="utf-8")
    assert set(re.findall(r"font-family:\s*([^;]+);", css)) == {pdf.SONG_FONT, pdf.HEI_FONT}
