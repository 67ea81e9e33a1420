"""The pure rules of bulletins: states, small-cell suppression, handling-time bands, changes,
the personal-data check of typical cases and the sanitising of the editor's text."""
from __future__ import annotations

import pytest

from supervision.standard import bulletins as std


def test_states_and_transitions():
    assert std.next_state(std.DRAFT, "submit") == std.PENDING
    assert std.next_state(std.PENDING, "return") == std.DRAFT
    assert std.next_state(std.PENDING, "publish") == std.PUBLISHED
    for state, action in ((std.DRAFT, "publish"), (std.PUBLISHED, "return"), (std.PUBLISHED, "submit"),
                          (std.PUBLISHED, "publish")):
        with pytest.raises(std.IllegalTransition, match="通报当前为"):
            std.next_state(state, action)
    assert std.allowed_actions(std.PUBLISHED) == []  # a published bulletin never moves again
    assert std.may_approve(editor_id=3, approver_id=4)
    assert not std.may_approve(editor_id=3, approver_id=3)
    assert not std.may_approve(editor_id=None, approver_id=3)  # nobody edited it: nobody else to check


def test_small_cells_are_suppressed_with_a_complementary_cell():
    assert std.suppress_cells({"a": 0, "b": 4, "c": 5, "d": 120}) == {"a": 0, "b": "<5", "c": "*", "d": 120}
    assert std.suppress_cells({"a": 1, "b": 2, "c": 50}) == {"a": "<5", "b": "<5", "c": 50}
    assert std.suppress_cells({"a": 7, "b": 9}) == {"a": 7, "b": 9}
    assert std.suppress_cells({"a": 3}) == {"a": "<5"}
    assert [std.shown(v) for v in ("<5", "*", 0, 12, None)] == [None, None, 0, 12, None]
    assert std.share(4, 4) is None and std.share(0, 0) is None and std.share(3, 6) == 50.0


@pytest.mark.parametrize("days,band", [(0, "≤1个工作日"), (1, "≤1个工作日"), (2, "≤3个工作日"), (3, "≤3个工作日"),
                                       (4, "≤7个工作日"), (7, "≤7个工作日"), (8, "7个工作日以上"), (40, "7个工作日以上")])
def test_bands(days, band):
    assert std.band_of(days) == band


def test_band_counts_keep_every_band_in_order():
    assert std.band_counts([0, 1, 5, 9]) == {"≤1个工作日": 2, "≤3个工作日": 0, "≤7个工作日": 1, "7个工作日以上": 1}
    assert list(std.band_counts([])) == list(std.BANDS)
    with pytest.raises(ValueError):
        std.band_of(-1)


def test_changes():
    assert std.change_text(110, 100) == "增长10.0%"
    assert std.change_text(90, 100) == "下降10.0%"
    assert std.change_text(100, 100) == "持平"
    assert std.change_text(5, 0) == "—" and std.change_text(None, 3) == "—" and std.change_text(3, None) == "—"
    assert std.point_change_text(91.5, 90.0) == "上升1.5个百分点"
    assert std.point_change_text(None, 90.0) == "—"
    assert std.previous_month("2026-01") == "2025-12" and std.previous_month("2026-10") == "2026-09"
    assert std.same_month_last_year("2026-10") == "2025-10"
    assert std.default_title("2026-10") == "2026年10月网络侵权信息举报受理处置情况通报"


@pytest.mark.parametrize("text,kind", [
    ("投诉人电话13912345678", "mobile"),
    ("请联系 139 1234 5678", "mobile"),
    ("联系<strong>139</strong>-1234-5678", "mobile"),
    ("身份证号330102199001011234", "id"),
    ("身份证号33010219900101123X", "id"),
    ("邮箱 zhang.san@example.com", "email"),
    ("座机 0571-87001234", "landline"),
    ("网民张三丰反映", "name"),
    ("网民张 三丰反映", "name"),
])
def test_personal_data_is_found(text, kind):
    hits = std.find_personal_data(text, names=["张三丰", "王"])
    assert kind in {h.kind for h in hits}, hits
    assert std.pii_message("典型案例", hits).startswith("典型案例含有个人信息")


def test_clean_case_text_passes():
    text = ("<p>某平台2026年10月受理的一件举报（编号YF-2026-000059、R0001）超期办结，2026-10-01受理，"
            "处置完成时间2026-10-09 10:00。平台已整改。</p>")
    assert std.find_personal_data(text, names=["张三丰", "王"]) == []  # one-character names are not searched


def test_masked_hit_does_not_repeat_the_data():
    hit = std.find_personal_data("13912345678")[0]
    assert hit.masked() == "139******78" and "13912345678" not in std.pii_message("x", [hit])


def test_sanitise_keeps_only_harmless_formatting():
    dirty = ('<p onclick="x()">好<script>alert(1)</script><a href="javascript:alert(1)">链接</a>'
             '<img src="http://evil/x.png"><strong style="color:red">重点</strong></p>')
    clean = std.sanitise(dirty)
    assert "script" not in clean and "onclick" not in clean and "href" not in clean and "<img" not in clean
    assert "style" not in clean and "<strong>重点</strong>" in clean and "链接" in clean
    assert std.sanitise("第一段\n\n第二段 <不是标签") == "<p>第一段</p><p>第二段 &lt;不是标签</p>"
    assert std.plain_text("<p>甲&amp;乙</p>") == "甲&乙"
