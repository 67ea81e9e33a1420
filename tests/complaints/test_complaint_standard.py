"""The complaint window as pure Python: states, deadlines, masking, file types, figures."""
from datetime import date, datetime, timedelta

import pytest

from supervision.standard import complaints as std
from supervision.standard.workdays import WorkCalendar

CAL = WorkCalendar()


def test_the_whole_path_is_legal():
    state = std.PENDING
    for action in ("accept", "transfer", "respond", "return", "respond", "close", "reexamine", "close"):
        state = std.next_state(state, action)
    assert state == std.CLOSED
    assert std.next_state(std.PENDING, "reject") == std.REJECTED


@pytest.mark.parametrize("state,action", [
    (std.PENDING, "transfer"), (std.PENDING, "close"), (std.PENDING, "respond"), (std.ACCEPTED, "accept"),
    (std.ACCEPTED, "respond"), (std.TRANSFERRED, "close"), (std.TRANSFERRED, "accept"), (std.ANSWERED, "transfer"),
    (std.REJECTED, "accept"), (std.REJECTED, "reexamine"), (std.CLOSED, "close"), (std.CLOSED, "transfer"),
    (std.ACCEPTED, "reexamine"), (std.PENDING, "fly"),
])
def test_illegal_transitions_are_refused_in_chinese(state, action):
    with pytest.raises(std.IllegalTransition) as e:
        std.next_state(state, action)
    assert "不能" in str(e.value) or "未知" in str(e.value)


def test_every_state_has_its_actions():
    assert std.allowed_actions(std.PENDING) == ["accept", "reject"]
    assert std.allowed_actions(std.ANSWERED) == ["return", "close"]
    assert std.allowed_actions(std.REJECTED) == []


def test_deadlines_skip_the_national_day_holiday():
    filed = datetime(2026, 9, 30, 10, 0)
    times = std.Times(filed_at=filed, accepted_at=filed, decided_at=filed, transferred_at=filed)
    stages = {s.key: s for s in std.stages(times, CAL)}
    # 1–7 October 2026 are holidays: the 2 working days are 8 and 9 October.
    assert stages["accept"].due == datetime(2026, 10, 9, 23, 59, 59)
    assert stages["respond"].due == CAL.deadline(filed, 5)
    assert stages["respond"].due > datetime(2026, 10, 13)
    assert stages["close"].due == datetime(2026, 10, 27, 23, 59, 59)


def test_defaults_of_the_workflow_parameters():
    p = std.WorkflowParams()
    assert (p.accept_working_days, p.platform_response_working_days, p.close_working_days) == (2, 5, 15)
    with pytest.raises(Exception):
        p.accept_working_days = 3  # frozen


def test_stage_status_ok_warning_overdue_late():
    start = datetime(2026, 11, 16, 9, 0)  # Monday
    stage = std.Stage("accept", "受理", start, CAL.deadline(start, 2), None)
    assert stage.due == datetime(2026, 11, 18, 23, 59, 59)
    assert stage.status(start + timedelta(hours=1), 0.8) == "ok"
    assert stage.status(datetime(2026, 11, 18, 20, 0), 0.8) == "warning"
    assert stage.status(datetime(2026, 11, 19, 0, 0), 0.8) == "overdue"
    late = std.Stage("accept", "受理", start, stage.due, datetime(2026, 11, 19, 9, 0))
    assert late.status(datetime(2026, 12, 1), 0.8) == "late"
    assert std.overdue_keys([stage, late], datetime(2026, 11, 17)) == ["accept"]


def test_a_reopened_complaint_gets_a_new_closing_deadline():
    t0 = datetime(2026, 11, 2, 9, 0)
    times = std.Times(filed_at=t0, accepted_at=t0, decided_at=t0, closed_at=t0 + timedelta(days=3),
                      reopened_at=datetime(2026, 11, 16, 9, 0))
    close = [s for s in std.stages(times, CAL) if s.key == "close"][0]
    assert close.start == datetime(2026, 11, 16, 9, 0) and close.end is None


def test_unknown_calendar_year_gives_no_due_date_instead_of_an_error():
    t = datetime(2031, 5, 6, 9, 0)
    stage = std.stages(std.Times(filed_at=t), CAL)[0]
    assert stage.due is None and stage.status(t, 0.8) == "unknown"


def test_tracking_number_format():
    assert std.tracking_number(date(2026, 11, 22), 17) == "TS20261122-00017"
    assert std.TRACKING_RE.match("TS20261122-00017")


@pytest.mark.parametrize("value,expected", [
    ("13912345678", ("mobile", "13912345678")), (" 139-1234-5678 ", ("mobile", "13912345678")),
    ("+8613912345678", ("mobile", "13912345678")), ("Zhang@Example.CN", ("email", "zhang@example.cn")),
    ("12912345678", None), ("1391234567", None), ("zhang@", None), ("", None), ("0571-88888888", None),
])
def test_contacts(value, expected):
    assert std.normalise_contact(value) == expected


def test_masking_phone_numbers_emails_id_numbers_and_names():
    text = ("我是张三丰，电话13912345678，又 139 8765 4321，邮箱zhang.san@example.com，"
            "身份证11010519491231002X，旧证110105491231002，座机010-62345678。举报编号R-20261001-000123。")
    out = std.mask_text(text, ("张三丰",))
    for secret in ("张三丰", "13912345678", "139 8765 4321", "zhang.san@example.com", "11010519491231002X",
                   "110105491231002", "62345678"):
        assert secret not in out
    assert "139****5678" in out and "z***@example.com" in out and "1101**********002X" in out
    assert "R-20261001-000123" in out  # report numbers stay
    assert std.mask_text("", ()) == ""


def test_mask_contact_and_name():
    assert std.mask_contact("13912345678") == "139****5678"
    assert std.mask_contact("li@example.cn") == "l***@example.cn"
    assert std.mask_name("张三丰") == "张**"


@pytest.mark.parametrize("head,expected", [
    (b"\x89PNG\r\n\x1a\n0000", "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"), (b"GIF89a", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"), (b"%PDF-1.7", "application/pdf"),
    (b"#!/bin/sh\nrm -rf /", None), (b"<script>alert(1)</script>", None), (b"MZ\x90\x00", None), (b"", None),
])
def test_file_type_by_content(head, expected):
    got = std.sniff_type(head)
    assert (got[0] if got else None) == expected


def test_rating_and_reexamination_rules():
    closed = datetime(2026, 11, 1, 10, 0)
    now = closed + timedelta(days=3)
    assert std.rating_problem(std.CLOSED, closed, False, 5, now) is None
    assert "尚未办结" in std.rating_problem(std.ACCEPTED, None, False, 5, now)
    assert "评价过" in std.rating_problem(std.CLOSED, closed, True, 5, now)
    assert "15" in std.rating_problem(std.CLOSED, closed, False, 5, closed + timedelta(days=16))
    assert "1 至 5" in std.rating_problem(std.CLOSED, closed, False, 6, now)
    assert std.reexam_problem(std.CLOSED, closed, 2, False, now) is None
    assert "1 分或 2 分" in std.reexam_problem(std.CLOSED, closed, 3, False, now)
    assert "一次" in std.reexam_problem(std.CLOSED, closed, 1, True, now)


def test_satisfaction_figures():
    s = std.satisfaction([5, 4, 4, 2, 1])
    assert s.count == 5 and s.mean == pytest.approx(3.2) and s.share_satisfied == pytest.approx(0.6)
    assert s.distribution == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
    assert s.score == pytest.approx((100 + 80 + 80 + 30 + 0) / 5)
    assert std.satisfaction([]).count == 0


def _random_times(rng, n):
    """Complaints at every stage of their life, some with deadlines past the calendar's years."""
    out = []
    for _ in range(n):
        filed = datetime(2026, 1, 1) + timedelta(minutes=int(rng.integers(0, 365 * 24 * 60)))
        t = {"filed_at": filed}
        step = int(rng.integers(0, 6))
        after = lambda base: base + timedelta(minutes=int(rng.integers(1, 30 * 24 * 60)))  # noqa: E731
        if step >= 1:
            t["decided_at"] = after(filed)
            if step >= 2 or rng.random() < 0.8:
                t["accepted_at"] = t["decided_at"]
        if step >= 2 and "accepted_at" in t:
            t["transferred_at"] = after(t["accepted_at"])
        if step >= 3 and "transferred_at" in t:
            t["answered_at"] = after(t["transferred_at"]) if rng.random() < 0.9 else t["transferred_at"] - timedelta(1)
        if step >= 4 and "accepted_at" in t:
            t["closed_at"] = after(t.get("answered_at") or t["accepted_at"])
        if step == 5 and "closed_at" in t:
            t["reopened_at"] = after(t["closed_at"])
        open_ = "closed_at" not in t or "reopened_at" in t
        if "decided_at" in t and "accepted_at" not in t:
            open_ = False  # rejected
        out.append((std.Times(**t), bool(open_ if rng.random() < 0.95 else not open_)))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queue_order_of_many_complaints_is_that_of_each_complaint_ranked_alone(seed):
    """The work queue ranks every complaint at once, column-wise; the order and the overdue flag
    are exactly those of stages/worst_status/overdue_keys per complaint, including deadlines the
    calendar cannot give (a year it lacks) and a time of filing shared by several complaints."""
    import numpy as np

    rng = np.random.default_rng(seed)
    cal = WorkCalendar(known_years=[2026], use_package=False)  # 2027 unknown: late deadlines are "unknown"
    params = std.WorkflowParams(warning_share=0.7)
    complaints = _random_times(rng, 400)
    complaints += [(std.Times(filed_at=complaints[0][0].filed_at), True)] * 3  # ties keep the given order
    now = datetime(2026, 9, 15, 12, 0)
    got = std.queue_order({k: np.array([getattr(t, k) for t, _o in complaints], dtype="datetime64[ns]")
                           for k in std.Times.__dataclass_fields__},
                          np.array([o for _t, o in complaints]), cal, params, now)
    rank = {"overdue": 0, "warning": 1, "ok": 2, "unknown": 3, "late": 4, "done": 5}
    alone = []
    for i, (times, is_open) in enumerate(complaints):
        st = std.stages(times, cal, params)
        worst = std.worst_status(st, now, params.warning_share) if is_open else "done"
        dues = [s.due for s in st if s.end is None and s.due is not None]
        alone.append(((rank[worst], min(dues) if dues else datetime.max, times.filed_at), i,
                      bool(std.overdue_keys(st, now))))
    expected = [i for _key, i, _f in sorted(alone, key=lambda a: a[0])]
    assert got.order.tolist() == expected
    assert got.flagged.tolist() == [f for _k, _i, f in alone]
    kinds = {a[0][0] for a in alone}
    assert kinds >= {0, 1, 2, 3, 5}  # every kind of row took part
