"""Findings, the rule catalogue, disclosures and the standard's admin screens in the browser's view."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from supervision.models import AuditEvent, CalendarDay, Finding, ParameterSet
from tests.conftest import login
from tests.ledger_rows import ledger, row
from tests.test_checks import _import

LATE = {"处置完成时间": "2026-09-10 09:00:00", "反馈时间": "2026-09-10 10:00:00"}


def _two_platforms_with_findings(runner, make_platform, make_user, tmp_path):
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    make_user("user_a", "platform", "pa")
    make_user("user_b", "platform", "pb")
    _import(runner, tmp_path, ledger(row("A1", **LATE)), "2026-09", name="a.csv", platform="pa")
    _import(runner, tmp_path, ledger(row("B1", **{"复核人": "H01"})), "2026-09", name="b.csv", platform="pb")


def test_staff_see_findings_with_reasons_and_counts(client, runner, make_platform, make_user, tmp_path):
    _two_platforms_with_findings(runner, make_platform, make_user, tmp_path)
    make_user("insp", "inspector")
    login(client, "insp")
    page = client.get("/findings/").get_data(as_text=True)
    assert "A1" in page and "B1" in page and "TIM-01 简单件超时办结" in page
    assert "应在3个工作日内即2026-09-04 23:59:59前办结，实际于2026-09-10 09:00:00办结" in page
    page = client.get("/findings/?platform=pb").get_data(as_text=True)
    assert "B1" in page and "A1" not in page and "PRO-01" in page


def test_a_platform_sees_only_its_own_findings(client, runner, make_platform, make_user, tmp_path, session):
    _two_platforms_with_findings(runner, make_platform, make_user, tmp_path)
    login(client, "user_a")
    page = client.get("/findings/?platform=pb").get_data(as_text=True)
    assert "A1" in page and "B1" not in page and "乙平台" not in page
    book = load_workbook(io.BytesIO(client.get("/findings/export.xlsx").data))
    ids = [r[2] for r in book.active.iter_rows(min_row=2, values_only=True)]
    assert "A1" in ids and "B1" not in ids
    rep_b = session.execute(select(Finding).where(Finding.report_id == "B1")).scalar_one()
    assert rep_b.platform_id != session.execute(select(Finding).where(Finding.report_id == "A1")).scalar_one().platform_id
    assert "立即检查" not in client.get("/findings/").get_data(as_text=True)
    assert client.post("/findings/run", data={"platform": "pb", "period": "2026-09"}).status_code == 403


def test_export_neutralises_formulas(client, runner, make_platform, make_user, tmp_path):
    make_platform("pa")
    make_user("insp", "inspector")
    _import(runner, tmp_path, ledger(row("=HYPERLINK(\"http://x\")", **LATE)), "2026-09")
    login(client, "insp")
    book = load_workbook(io.BytesIO(client.get("/findings/export.xlsx").data))
    cells = [c for r in book.active.iter_rows(min_row=2) for c in r if c.value == '=HYPERLINK("http://x")']
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_inspector_runs_a_check_on_demand(client, runner, make_platform, make_user, tmp_path, session):
    make_platform("pa", "甲平台")
    make_user("insp", "inspector")
    login(client, "insp")
    r = client.post("/findings/run", data={"platform": "pa", "period": "2026-09"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已检查 甲平台 2026-09" in page and "LED-01" in page


def test_rule_catalogue_shows_every_rule_with_its_source(client, make_platform, make_user):
    make_platform("pa")
    make_user("user_a", "platform", "pa")
    login(client, "user_a")
    page = client.get("/rules").get_data(as_text=True)
    for code in ("TIM-01", "TIM-08", "ACC-03", "DIS-06", "PRO-04", "LED-03"):
        assert f'id="{code}"' in page
    assert "上海" in page and "3个工作日" in page


def test_admin_changes_parameters_as_a_new_version(client, make_user, session):
    make_user("adm", "admin")
    login(client, "adm")
    page = client.post("/admin/parameters", data={"simple_case_working_days": "0", "complex_case_working_days": "7",
                                                  "fast_channel_hours": "24", "feedback_working_days": "1",
                                                  "ledger_due_working_day": "5", "retention_months": "6"})
    assert page.status_code == 200 and '<div class="error">' in page.get_data(as_text=True)
    assert session.scalar(select(ParameterSet).order_by(ParameterSet.version.desc())).version == 1
    r = client.post("/admin/parameters", data={"simple_case_working_days": "4", "complex_case_working_days": "8",
                                               "fast_channel_hours": "24", "feedback_working_days": "1",
                                               "ledger_due_working_day": "5", "retention_months": "6",
                                               "note": "试行"})
    assert r.status_code == 302
    latest = session.scalar(select(ParameterSet).order_by(ParameterSet.version.desc()))
    assert latest.version == 2 and latest.created_by == "adm" and '"simple_case_working_days": 4' in latest.values
    assert '"close_working_days": 15' in latest.values  # not posted: kept at its current value
    page = client.post("/admin/parameters", data={"simple_case_working_days": ""})
    assert '<div class="error">' in page.get_data(as_text=True)  # posted empty: an error, not kept
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "parameters.update")) is not None


def test_calendar_correction_changes_deadlines(client, runner, make_platform, make_user, tmp_path, session):
    make_platform("pa")
    make_user("adm", "admin")
    # received Tue 2026-09-01, concluded Fri 09-04 10:00: on time (deadline 09-04 23:59:59)
    _import(runner, tmp_path, ledger(row("R1", **{"处置完成时间": "2026-09-04 10:00:00",
                                                    "反馈时间": "2026-09-04 11:00:00"})), "2026-09")
    out = runner.invoke(args=["ledger", "check", "--platform", "pa", "--period", "2026-09"]).output
    assert "R1,TIM-01" not in out
    login(client, "adm")
    r = client.post("/admin/calendar/day", data={"day": "2026-09-03", "is_workday": "1", "note": "测试：本来就是工作日"})
    assert r.status_code == 302
    client.post("/admin/calendar/day", data={"day": "2026-09-02", "is_workday": "0", "note": "临时放假"})
    assert session.get(CalendarDay, __import__("datetime").date(2026, 9, 2)).is_workday is False
    out = runner.invoke(args=["ledger", "check", "--platform", "pa", "--period", "2026-09"]).output
    assert "R1,TIM-01" not in out  # deadline moved to 09-07, still on time
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "临时放假" in page and "2026-10-01" in page
    page = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert "工作日历未包含2031年" in page


def test_disclosures_screen_for_a_platform(client, make_platform, make_user, session):
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    make_user("user_a", "platform", "pa")
    login(client, "user_a")
    page = client.get("/disclosures").get_data(as_text=True)
    assert "甲平台" in page and "乙平台" not in page
    r = client.post("/disclosures", data={"platform": "pb", "period": "2026-09", "published_on": "2026-10-08",
                                          "url": "https://example.cn/s"})
    assert r.status_code == 200  # another platform is not a choice: refused, nothing recorded
    from supervision.models import Disclosure

    assert session.scalar(select(Disclosure)) is None
    r = client.post("/disclosures", data={"platform": "pa", "period": "2026-09", "published_on": "2026-10-08",
                                          "url": "https://example.cn/s"})
    assert r.status_code == 302
    assert "https://example.cn/s" in client.get("/disclosures").get_data(as_text=True)


def test_api_findings_are_the_platforms_own(app, client, runner, make_platform, make_user, tmp_path):
    _two_platforms_with_findings(runner, make_platform, make_user, tmp_path)
    login(client, "user_a")
    page = client.post("/portal/tokens/", data={"name": "对接"}).get_data(as_text=True)
    token = page.split('data-testid="new-token">')[1].split("<")[0]
    r = app.test_client().get("/api/v1/findings?period=2026-09", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    found = {f["report_id"]: f for f in r.json["findings"]}
    assert set(found) == {"A1", "2026-09"}  # its late report, and its missing monthly disclosure (LED-03)
    assert found["A1"]["reason"].startswith("简单件") and found["2026-09"]["rule_code"] == "LED-03"
    r = app.test_client().get("/api/v1/findings?period=9", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.json["code"] == "invalid_period"
