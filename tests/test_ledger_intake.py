"""Ledger intake end to end: command line, web portal, API; storage, history, duplicates."""
import io

import pandas as pd
import pytest
from sqlalchemy import func, select

from supervision.models import (ApiToken, AuditEvent, LedgerError, LedgerSubmission, Report, ReportVersion)
from tests.conftest import csrf_token_from, login
from tests.ledger_samples import ledger_frame, to_csv_bytes, to_xlsx_bytes


def _count(session, model, **where):
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return session.scalar(q)


@pytest.fixture
def platform_a(make_platform, make_user):
    pid = make_platform("pa", "甲平台")
    make_user("user_a", "platform", "pa")
    return pid


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_accepts_then_recognises_the_same_file(runner, session, platform_a, tmp_path):
    path = _write(tmp_path, "l.csv", to_csv_bytes(ledger_frame(30, "2026-10")))
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10", path])
    assert r.exit_code == 0, r.output
    assert "读取 30 行，新增 30 条" in r.output
    assert _count(session, Report) == 30 and _count(session, ReportVersion) == 0  # no history yet
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10", path])
    assert r.exit_code == 0 and "完全相同，未做任何更改" in r.output
    assert _count(session, LedgerSubmission) == 1 and _count(session, Report) == 30
    assert _count(session, ReportVersion) == 0


def test_later_month_updates_reports_and_keeps_history(runner, session, platform_a, tmp_path, clock):
    first = ledger_frame(10, "2026-09")
    runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-09",
                        _write(tmp_path, "a.csv", to_csv_bytes(first))])
    second = first.copy()
    second.loc[:2, "备注"] = "十一月更新"
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                            _write(tmp_path, "b.csv", to_csv_bytes(second))])
    assert r.exit_code == 0, r.output
    assert "新增 0 条，更新 3 条，未变 7 条" in r.output
    changed = first.loc[0, "举报编号"]
    rep = session.scalar(select(Report).where(Report.report_id == changed))
    assert rep.version == 2 and rep.note == "十一月更新" and rep.period == "2026-10"
    history = session.scalars(select(ReportVersion).where(ReportVersion.report_id == changed)).all()
    assert [(v.version, v.period, v.note) for v in history] == [(1, "2026-09", None)]
    assert _count(session, ReportVersion) == 3  # only the changed reports have history


def test_a_late_earlier_period_goes_into_history_without_rolling_back(runner, session, platform_a, tmp_path):
    september = ledger_frame(4, "2026-09")
    october = september.copy()
    october.loc[0, "备注"] = "十月状态"
    runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                        _write(tmp_path, "n.csv", to_csv_bytes(october))])
    corrected = september.copy()
    corrected.loc[0, "备注"] = "九月更正"
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-09",
                            _write(tmp_path, "o.csv", to_csv_bytes(corrected))])
    assert r.exit_code == 0, r.output
    rep = session.scalar(select(Report).where(Report.report_id == september.loc[0, "举报编号"]))
    assert rep.note == "十月状态" and rep.period == "2026-10" and rep.version == 2
    history = session.scalars(select(ReportVersion).where(ReportVersion.report_id == rep.report_id)).all()
    assert [(v.version, v.period, v.note) for v in history] == [(1, "2026-09", "九月更正")]


def test_a_rejected_file_stores_no_report(runner, session, platform_a, tmp_path):
    bad = ledger_frame(12, "2026-10")
    bad.loc[3, "受理时间"] = "2026-13-45"
    bad.loc[7, "举报类型"] = "涉物"
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                            _write(tmp_path, "bad.csv", to_csv_bytes(bad))])
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert "5\t受理时间\t2026-13-45\t" in r.output
    assert any(line.startswith("9\t举报类型\t涉物\t") for line in lines)
    assert _count(session, Report) == 0 and _count(session, ReportVersion) == 0
    sub = session.scalar(select(LedgerSubmission))
    assert sub.status == "rejected" and sub.error_count >= 2 and sub.error_report_name
    assert _count(session, LedgerError, submission_id=sub.id) == sub.error_count
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.rejected")) is not None


def test_backdated_import_is_recorded_as_such(runner, session, platform_a, tmp_path):
    path = _write(tmp_path, "h.csv", to_csv_bytes(ledger_frame(5, "2026-06")))
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-06",
                            "--submitted-at", "2026-07-08 16:30", path])
    assert r.exit_code == 0, r.output
    sub = session.scalar(select(LedgerSubmission))
    assert sub.backdated and sub.submitted_at.strftime("%Y-%m-%d %H:%M") == "2026-07-08 16:30"
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.accepted"))
    assert '"backdated": true' in ev.after


def test_cli_bad_arguments_exit_2(runner, platform_a, tmp_path):
    path = _write(tmp_path, "l.csv", to_csv_bytes(ledger_frame(3)))
    assert runner.invoke(args=["ledger", "import", "--platform", "zz", "--period", "2026-10", path]).exit_code == 2
    assert runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                               str(tmp_path / "missing.csv")]).exit_code == 2
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026/10", path])
    assert r.exit_code == 2 and "YYYY-MM" in r.output
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-11", path])
    assert r.exit_code == 2 and "尚未结束" in r.output
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10", "--submitted-at",
                            "yesterday", path])
    assert r.exit_code == 2 and "--submitted-at" in r.output


def test_web_upload_with_csrf_and_result_pages(app_config, platform_a):
    from app import create_app
    from tests.conftest import _empty_tables

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "user_a", "password": "Passw0rd-for-tests", "csrf_token": token})
        page = client.get("/ledgers/upload").get_data(as_text=True)
        data = {"period": "2026-10", "file": (io.BytesIO(to_xlsx_bytes(ledger_frame(8))), "十月台账.xlsx")}
        r = client.post("/ledgers/upload", data=data, content_type="multipart/form-data")
        assert r.status_code == 400  # no CSRF token
        data = {"period": "2026-10", "csrf_token": csrf_token_from(page),
                "file": (io.BytesIO(to_xlsx_bytes(ledger_frame(8))), "十月台账.xlsx")}
        r = client.post("/ledgers/upload", data=data, content_type="multipart/form-data")
        assert r.status_code == 302
        page = client.get(r.headers["Location"]).get_data(as_text=True)
        assert "已接收：读取 8 行，新增 8 条" in page
        listing = client.get("/ledgers/").get_data(as_text=True)
        assert "十月台账.xlsx" not in listing and "已接收" in listing
    finally:
        _empty_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


def test_web_rejection_page_and_error_workbook(client, platform_a):
    login(client, "user_a")
    bad = ledger_frame(6)
    bad.loc[2, "侵权类别"] = "仿冒性信息" if bad.loc[2, "举报类型"] == "涉个人" else "网络暴力"
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(to_csv_bytes(bad)), "bad.csv")},
                    content_type="multipart/form-data")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已退回" in page and "侵权类别" in page
    sub_id = r.headers["Location"].rstrip("/").split("/")[-1]
    wb = client.get(f"/ledgers/{sub_id}/errors.xlsx")
    assert wb.status_code == 200 and wb.data[:2] == b"PK"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(wb.data))
    assert len(book.sheetnames) >= 2


def test_platform_cannot_see_another_platforms_submissions_or_reports(client, runner, make_platform, make_user,
                                                                     platform_a, tmp_path, session):
    make_platform("pb", "乙平台")
    make_user("user_b", "platform", "pb")
    runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                        _write(tmp_path, "a.csv", to_csv_bytes(ledger_frame(4)))])
    sub = session.scalar(select(LedgerSubmission))
    rep = session.scalar(select(Report))
    login(client, "user_b")
    for url in (f"/ledgers/{sub.id}", f"/ledgers/{sub.id}/original", f"/reports/{rep.id}"):
        assert client.get(url).status_code == 404, url
    assert "甲平台" not in client.get("/ledgers/").get_data(as_text=True)
    page = client.get(f"/reports/lookup?report_id={rep.report_id}").get_data(as_text=True)
    assert "没有找到" in page


def test_report_page_shows_version_history(client, runner, platform_a, tmp_path, session, make_user):
    first = ledger_frame(3, "2026-09")
    runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-09",
                        _write(tmp_path, "a.csv", to_csv_bytes(first))])
    second = first.copy()
    second.loc[0, "备注"] = "更正说明"
    runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                        _write(tmp_path, "b.csv", to_csv_bytes(second))])
    make_user("insp", "inspector")
    login(client, "insp")
    rep = session.scalar(select(Report).where(Report.report_id == first.loc[0, "举报编号"]))
    page = client.get(f"/reports/{rep.id}").get_data(as_text=True)
    assert "第 1 版" in page and "第 2 版" in page and "更正说明" in page and 'class="changed"' in page


# API -------------------------------------------------------------------------------------------

def _token(client, username="user_a") -> str:
    login(client, username)
    page = client.post("/portal/tokens/", data={"name": "台账系统对接"}).get_data(as_text=True)
    token = page.split('data-testid="new-token">')[1].split("<")[0]
    client.post("/logout")
    return token


def test_api_submission_lifecycle(app, client, platform_a, session):
    token = _token(client)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.post("/api/v1/ledgers", data={"period": "2026-10"}).status_code == 401
    data = to_csv_bytes(ledger_frame(7))
    r = api.post("/api/v1/ledgers", headers=headers, content_type="multipart/form-data",
                 data={"period": "2026-10", "file": (io.BytesIO(data), "l.csv")})
    assert r.status_code == 201, r.json
    assert r.json["created"] == 7 and r.json["status"] == "accepted"
    sub_id = r.json["id"]
    r = api.post("/api/v1/ledgers", headers=headers, content_type="multipart/form-data",
                 data={"period": "2026-10", "file": (io.BytesIO(data), "again.csv")})
    assert r.status_code == 200 and r.json["duplicate"] is True and r.json["id"] == sub_id
    assert api.get(f"/api/v1/ledgers/{sub_id}", headers=headers).json["rows"] == 7
    bad = ledger_frame(4)
    bad.loc[1, "办理状态"] = "已完成"
    r = api.post("/api/v1/ledgers", headers=headers, content_type="multipart/form-data",
                 data={"period": "2026-10", "file": (io.BytesIO(to_csv_bytes(bad)), "bad.csv")})
    assert r.status_code == 422 and r.json["code"] == "ledger_rejected"
    assert {"row": 3, "column": "办理状态", "value": "已完成"}.items() <= r.json["errors"][0].items()
    # A file that is no spreadsheet at all: one error of the whole file, without row or column,
    # stored and answered like any other (it once failed on PostgreSQL, whose COPY read the
    # empty column as NULL).
    r = api.post("/api/v1/ledgers", headers=headers, content_type="multipart/form-data",
                 data={"period": "2026-10", "file": (io.BytesIO(b"%PDF-1.4"), "ledger.pdf")})
    assert r.status_code == 422 and r.json["errors"][0]["row"] is None and r.json["errors"][0]["column"] == ""
    assert "只接受 .xlsx 或 .csv" in r.json["errors"][0]["message"]
    stored = session.scalars(select(LedgerError).where(LedgerError.submission_id == r.json["submission"]["id"])).all()
    assert [(e.row, e.column) for e in stored] == [(None, "")]
    r = api.post("/api/v1/ledgers", headers=headers, data={"period": "2026-10"})
    assert r.status_code == 400 and r.json["code"] == "file_missing"
    for period in ("0000-01", "1999-12", "2026-13"):  # year 0000 once reached pandas and gave a 500
        r = api.post("/api/v1/ledgers", headers=headers, content_type="multipart/form-data",
                     data={"period": period, "file": (io.BytesIO(b"junk"), "j.csv")})
        assert r.status_code in (400, 422) and "报送月份" in r.json["message"], (period, r.json)
    assert session.scalar(select(ApiToken)).last_used_at is not None


def test_api_tokens_are_scoped_and_revocable(app, client, make_platform, make_user, platform_a, session):
    make_platform("pb", "乙平台")
    make_user("user_b", "platform", "pb")
    token_a, token_b = _token(client, "user_a"), _token(client, "user_b")
    api = app.test_client()
    r = api.post("/api/v1/ledgers", headers={"Authorization": f"Bearer {token_a}"}, content_type="multipart/form-data",
                 data={"period": "2026-10", "file": (io.BytesIO(to_csv_bytes(ledger_frame(3))), "l.csv")})
    sub_id = r.json["id"]
    r = api.get(f"/api/v1/ledgers/{sub_id}", headers={"Authorization": f"Bearer {token_b}"})
    assert r.status_code == 404 and r.json["code"] == "not_found"
    assert session.scalar(select(LedgerSubmission)).platform_id == platform_a
    login(client, "user_a")
    tok = session.scalar(select(ApiToken).where(ApiToken.platform_id == platform_a))
    client.post(f"/portal/tokens/{tok.id}/revoke")
    r = api.get(f"/api/v1/ledgers/{sub_id}", headers={"Authorization": f"Bearer {token_a}"})
    assert r.status_code == 401 and "令牌" in r.json["message"]
    # a platform user cannot revoke another platform's token
    tok_b = session.scalar(select(ApiToken).where(ApiToken.platform_id != platform_a))
    assert client.post(f"/portal/tokens/{tok_b.id}/revoke").status_code == 404


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.") and "/api/v1/ledgers" in doc["paths"]


def test_filled_template_imports_cleanly(client, platform_a):
    """The downloaded template, filled in (as Excel would) below its header, is accepted."""
    from openpyxl import load_workbook

    login(client, "user_a")
    r = client.get("/ledgers/template.xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(r.data))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    rows = ledger_frame(5)
    assert headers == list(rows.columns)
    for values in rows.itertuples(index=False, name=None):
        sheet.append([v if v != "" else None for v in values])
    buf = io.BytesIO()
    book.save(buf)
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(buf.getvalue()), "filled.xlsx")},
                    content_type="multipart/form-data")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已接收：读取 5 行，新增 5 条" in page, page[page.find("verdict"):][:400]


def test_api_is_rate_limited_per_token(app_config, make_platform, make_user):
    from app import create_app
    from supervision import db
    from supervision.services.api_tokens import create_token
    from tests.conftest import _empty_tables

    app = create_app({**app_config, "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"})
    try:
        with app.app_context():
            from supervision.services.accounts import create_user
            from supervision.services.platforms import PlatformInput, register_platform

            s = db.session()
            register_platform(s, PlatformInput("pz", "丙平台", "91440300708461136T", True, "2025-01"))
            user = create_user(s, "pz_user", "platform", "Passw0rd-for-tests", platform_code="pz")
            _t1, raw1 = create_token(s, user, "一号")
            _t2, raw2 = create_token(s, user, "二号")
            s.commit()
        api = app.test_client()
        codes = [api.get("/api/v1/ledgers/1", headers={"Authorization": f"Bearer {raw1}"}).status_code
                 for _ in range(4)]
        assert codes == [404, 404, 404, 429]
        r = api.get("/api/v1/ledgers/1", headers={"Authorization": f"Bearer {raw1}"})
        assert r.status_code == 429 and r.is_json and r.json["code"] == "http_429"
        assert api.get("/api/v1/ledgers/1", headers={"Authorization": f"Bearer {raw2}"}).status_code == 404
    finally:
        _empty_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


@pytest.fixture
def small_parts(monkeypatch):
    """Files validated (and, on PostgreSQL, stored) in parts of 4 rows, as a million-row file
    is in parts of PART_ROWS."""
    import importers

    monkeypatch.setattr(importers, "PART_ROWS", 4)


def test_a_file_stored_in_parts_is_stored_whole_with_its_history(runner, session, platform_a, tmp_path,
                                                                 small_parts):
    first = ledger_frame(10, "2026-09")
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-09",
                            _write(tmp_path, "a.csv", to_csv_bytes(first))])
    assert r.exit_code == 0 and "读取 10 行，新增 10 条" in r.output, r.output
    second = pd.concat([first.astype(object), ledger_frame(13, "2026-10", seed=9).astype(object)], ignore_index=True)
    second.loc[[1, 6, 9], "备注"] = "十月更新"  # changed reports in three different parts
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                            _write(tmp_path, "b.csv", to_csv_bytes(second))])
    assert r.exit_code == 0, r.output
    assert "新增 13 条，更新 3 条，未变 7 条" in r.output
    assert _count(session, Report) == 23 and _count(session, ReportVersion) == 3
    assert _count(session, Report, note="十月更新") == 3


def test_a_file_rejected_in_its_last_part_leaves_none_of_its_parts(runner, session, platform_a, tmp_path,
                                                                   small_parts):
    bad = ledger_frame(14, "2026-10")
    bad.loc[12, "受理时间"] = "2026-13-45"  # row 14: the fourth part, after three clean ones
    bad.loc[13, "举报编号"] = bad.loc[0, "举报编号"]  # a duplicate of row 2, across parts
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                            _write(tmp_path, "bad.csv", to_csv_bytes(bad))])
    assert r.exit_code == 1
    assert "14\t受理时间\t2026-13-45\t" in r.output and "与第 2 行重复" in r.output
    assert _count(session, Report) == 0 and _count(session, ReportVersion) == 0
    sub = session.scalar(select(LedgerSubmission))
    assert sub.status == "rejected" and sub.row_count == 14 and sub.error_count == 2
    assert sub.created_count == 0 and _count(session, LedgerError, submission_id=sub.id) == 2


def test_a_row_wider_than_the_header_late_in_the_file_is_stored_once(runner, session, platform_a, tmp_path,
                                                                     small_parts):
    """Parsing in parts stops at a row wider than the header row (PostgreSQL has stored the
    parts before it by then); read whole, the file is in order: stored once, every row."""
    text = to_csv_bytes(ledger_frame(11, "2026-10")).decode().splitlines()
    text[10] = text[10] + ",多出的单元格"
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                            _write(tmp_path, "w.csv", ("\r\n".join(text) + "\r\n").encode())])
    assert r.exit_code == 0, r.output
    assert "读取 11 行，新增 11 条" in r.output and "提示 1 条" in r.output
    assert _count(session, Report) == 11
    assert _count(session, LedgerSubmission, status="accepted") == 1
