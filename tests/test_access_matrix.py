"""Every route × every role and the anonymous visitor.

The matrix is written out here by hand, independently of the permission table; a route the
application has but the matrix lacks fails the suite, so new routes must be classified.
"""
import pytest

from supervision.roles import ROLES
from tests.conftest import login

ANON = "anonymous"
STAFF_VIEWERS = {"admin", "inspector", "supervisor", "complaint_handler", "leader"}
LEDGER_VIEWERS = {"inspector", "supervisor", "complaint_handler", "leader", "platform"}
AUDIT_VIEWERS = {"inspector", "supervisor", "leader"}
COMPLAINT_READERS = {"complaint_handler", "inspector", "supervisor", "leader"}
EVERY_ROLE = set(ROLES)

# endpoint -> (method, path template, roles allowed, status when allowed, overrides {role: status})
MATRIX = {
    "static": ("GET", "/static/app.css", EVERY_ROLE | {ANON}, 200, {}),
    "auth.login": ("GET", "/login", {ANON}, 200, {r: 302 for r in EVERY_ROLE}),
    "auth.second_factor": ("GET", "/login/totp", set(), 302, {r: 302 for r in EVERY_ROLE | {ANON}}),
    "auth.logout": ("POST", "/logout", EVERY_ROLE | {ANON}, 302, {}),
    "auth.change_password": ("GET", "/account/password", EVERY_ROLE, 200, {}),
    "home.index": ("GET", "/", EVERY_ROLE, 200, {}),
    "users.index": ("GET", "/admin/users/", {"admin"}, 200, {}),
    "users.create": ("GET", "/admin/users/new", {"admin"}, 200, {}),
    "users.edit": ("GET", "/admin/users/{user_id}", {"admin"}, 200, {}),
    "users.reset_password": ("POST", "/admin/users/{user_id}/reset-password", {"admin"}, 302, {}),
    "users.reset_totp": ("POST", "/admin/users/{user_id}/reset-totp", {"admin"}, 302, {}),
    "platforms.index": ("GET", "/platforms/", STAFF_VIEWERS | {"platform"}, 200, {"platform": 302}),
    "platforms.detail": ("GET", "/platforms/{platform_id}", STAFF_VIEWERS | {"platform"}, 200, {}),
    "platforms.create": ("GET", "/admin/platforms/new", {"admin"}, 200, {}),
    "platforms.edit": ("GET", "/admin/platforms/{platform_id}/edit", {"admin"}, 200, {}),
    "audit.index": ("GET", "/audit/", {"security_auditor"}, 200, {}),
    "audit.verify": ("GET", "/audit/verify", {"security_auditor"}, 200, {}),
    "audit.export": ("GET", "/audit/export.csv", {"security_auditor"}, 200, {}),
    "ledgers.template": ("GET", "/ledgers/template.xlsx", LEDGER_VIEWERS, 200, {}),
    "ledgers.upload": ("GET", "/ledgers/upload", {"platform"}, 200, {}),
    "ledgers.index": ("GET", "/ledgers/", LEDGER_VIEWERS, 200, {}),
    "ledgers.detail": ("GET", "/ledgers/{submission_id}", LEDGER_VIEWERS, 200, {}),
    "ledgers.error_workbook": ("GET", "/ledgers/{rejected_id}/errors.xlsx", LEDGER_VIEWERS, 200, {}),
    "ledgers.original": ("GET", "/ledgers/{submission_id}/original", LEDGER_VIEWERS, 200, {}),
    "ledgers.report": ("GET", "/reports/{report_pk}", LEDGER_VIEWERS, 200, {}),
    "ledgers.lookup": ("GET", "/reports/lookup?report_id={report_id}", LEDGER_VIEWERS, 302, {}),
    "tokens.index": ("GET", "/portal/tokens/", {"platform"}, 200, {}),
    "tokens.revoke": ("POST", "/portal/tokens/{token_id}/revoke", {"platform"}, 302, {}),
    # The API answers 401 without a bearer token, whoever is logged in to the web portal.
    "api.post_ledger": ("POST", "/api/v1/ledgers", set(), 401, {r: 401 for r in EVERY_ROLE | {ANON}}),
    "api.get_ledger": ("GET", "/api/v1/ledgers/{submission_id}", set(), 401, {r: 401 for r in EVERY_ROLE | {ANON}}),
    "api.get_findings": ("GET", "/api/v1/findings", set(), 401, {r: 401 for r in EVERY_ROLE | {ANON}}),
    "api.openapi": ("GET", "/api/v1/openapi.json", EVERY_ROLE | {ANON}, 200, {}),
    "findings.index": ("GET", "/findings/", LEDGER_VIEWERS, 200, {}),
    "findings.export": ("GET", "/findings/export.xlsx", LEDGER_VIEWERS, 200, {}),
    "findings.run": ("POST", "/findings/run", {"inspector", "supervisor"}, 302, {}),
    "findings.catalogue": ("GET", "/rules", LEDGER_VIEWERS, 200, {}),
    "findings.disclosures": ("GET", "/disclosures", {"inspector", "supervisor", "platform"}, 200, {}),
    "audits.index": ("GET", "/audits/", AUDIT_VIEWERS, 200, {}),
    "audits.create": ("GET", "/audits/new", {"inspector", "supervisor"}, 200, {}),
    "audits.detail": ("GET", "/audits/{audit_id}", AUDIT_VIEWERS, 200, {}),
    "audits.start": ("POST", "/audits/{audit_id}/start", {"inspector", "supervisor"}, 302, {}),
    # Reviewing needs an assignment to the audit: the matrix's users are not assigned.
    "audits.complete": ("POST", "/audits/{audit_id}/complete", set(), 403, {}),
    "audits.sample": ("GET", "/audits/{audit_id}/platforms/{platform_id}", AUDIT_VIEWERS, 200, {}),
    "audits.item": ("GET", "/audits/{audit_id}/items/{item_id}", AUDIT_VIEWERS, 200, {}),
    "audits.decide": ("POST", "/audits/{audit_id}/items/{item_id}/findings/{finding_id}", set(), 403, {}),
    "audits.add_code": ("POST", "/audits/{audit_id}/items/{item_id}/codes", set(), 403, {}),
    "audits.verdict": ("POST", "/audits/{audit_id}/items/{item_id}/verdict", set(), 403, {}),
    "audits.evidence": ("POST", "/audits/{audit_id}/items/{item_id}/evidence", set(), 403, {}),
    "audits.evidence_file": ("GET", "/audits/evidence/{evidence_id}", AUDIT_VIEWERS, 200, {}),
    "audits.export": ("GET", "/audits/{audit_id}/export.xlsx", AUDIT_VIEWERS, 200, {}),
    "audits.problems": ("GET", "/problems/", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "audits.problems_export": ("GET", "/problems/export.xlsx", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "scores.index": ("GET", "/scores?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "scores.export": ("GET", "/scores.csv?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "signals.index": ("GET", "/signals?period=2026-10", AUDIT_VIEWERS, 200, {}),
    "signals.accounts": ("GET", "/accounts?from=2026-10&to=2026-10", AUDIT_VIEWERS, 200, {}),
    "standard.parameters": ("GET", "/admin/parameters", {"admin"}, 200, {}),
    "standard.calendar": ("GET", "/admin/calendar", {"admin"}, 200, {}),
    "standard.calendar_day": ("POST", "/admin/calendar/day", {"admin"}, 302, {}),
    "standard.calendar_year": ("POST", "/admin/calendar/year", {"admin"}, 302, {}),
    # The complaint window: public pages for everyone (no login); handling for complaint handlers
    # (POSTs without their fields answer 422 with the errors); reading without personal data for
    # inspectors, supervisors and leaders; the platform's portal for platform users.
    "complaints_public.new": ("GET", "/complaint/new", EVERY_ROLE | {ANON}, 200, {}),
    "complaints_public.filed": ("GET", "/complaint/filed", EVERY_ROLE | {ANON}, 200, {}),
    "complaints_public.query": ("GET", "/complaint/query", EVERY_ROLE | {ANON}, 200, {}),
    "complaints_public.track": ("GET", "/complaint/track", EVERY_ROLE | {ANON}, 200, {}),
    "complaints_public.rate": ("POST", "/complaint/track/rate", EVERY_ROLE | {ANON}, 200, {}),
    "complaints_public.reexam": ("POST", "/complaint/track/reexam", EVERY_ROLE | {ANON}, 200, {}),
    "complaints_public.rules": ("GET", "/complaint/rules", EVERY_ROLE | {ANON}, 200, {}),
    "complaints.index": ("GET", "/complaints/", COMPLAINT_READERS, 200, {}),
    "complaints.detail": ("GET", "/complaints/{complaint_id}", COMPLAINT_READERS, 200, {}),
    "complaints.satisfaction": ("GET", "/complaints/satisfaction", COMPLAINT_READERS, 200, {}),
    "complaints.accept": ("POST", "/complaints/{complaint_id}/accept", {"complaint_handler"}, 422, {}),
    "complaints.reject": ("POST", "/complaints/{complaint_id}/reject", {"complaint_handler"}, 422, {}),
    "complaints.transfer": ("POST", "/complaints/{complaint_id}/transfer", {"complaint_handler"}, 422, {}),
    "complaints.return_to_platform": ("POST", "/complaints/{complaint_id}/return", {"complaint_handler"}, 422, {}),
    "complaints.close": ("POST", "/complaints/{complaint_id}/close", {"complaint_handler"}, 422, {}),
    "complaints.link_report": ("POST", "/complaints/{complaint_id}/link-report", {"complaint_handler"}, 422, {}),
    "complaints.confirm_unreported": ("POST", "/complaints/{complaint_id}/confirm-unreported",
                                      {"complaint_handler"}, 422, {}),
    "complaints.file": ("GET", "/complaints/{complaint_id}/files/{complaint_file_id}", {"complaint_handler"}, 200,
                        {}),
    "complaints.portal_index": ("GET", "/portal/complaints/", {"platform"}, 200, {}),
    "complaints.portal_detail": ("GET", "/portal/complaints/{complaint_id}", {"platform"}, 200, {}),
    "complaints.portal_file": ("GET", "/portal/complaints/{complaint_id}/files/{platform_file_id}", {"platform"},
                               200, {}),
    "api.get_complaints": ("GET", "/api/v1/complaints", set(), 401, {r: 401 for r in EVERY_ROLE | {ANON}}),
    "api.post_complaint_response": ("POST", "/api/v1/complaints/{complaint_id}/response", set(), 401,
                                    {r: 401 for r in EVERY_ROLE | {ANON}}),
    # -- rectification notices (issue 7) --
    # Office pages for inspectors, supervisors and leaders (platform users read theirs in the portal);
    # POSTs without their fields, or on the draft someone else wrote, are refused with a message (302).
    "notices.index": ("GET", "/notices/", AUDIT_VIEWERS | {"platform"}, 200, {"platform": 302}),
    "notices.export": ("GET", "/notices/export.xlsx", AUDIT_VIEWERS, 200, {}),
    "notices.create": ("GET", "/notices/new", {"inspector", "supervisor"}, 200, {}),
    "notices.detail": ("GET", "/notices/{notice_id}", AUDIT_VIEWERS, 200, {}),
    "notices.edit": ("GET", "/notices/{draft_notice_id}/edit", {"inspector", "supervisor"}, 302, {}),
    "notices.submit": ("POST", "/notices/{draft_notice_id}/submit", {"inspector", "supervisor"}, 302, {}),
    "notices.delete": ("POST", "/notices/{draft_notice_id}/delete", {"inspector", "supervisor"}, 302, {}),
    "notices.return_": ("POST", "/notices/{draft_notice_id}/return", {"supervisor"}, 302, {}),
    "notices.issue": ("POST", "/notices/{draft_notice_id}/issue", {"supervisor"}, 302, {}),
    "notices.preview": ("GET", "/notices/{draft_notice_id}/preview", AUDIT_VIEWERS, 200, {}),
    "notices.draft_pdf": ("GET", "/notices/{draft_notice_id}/draft.pdf", AUDIT_VIEWERS, 200, {}),
    "notices.pdf": ("GET", "/notices/{notice_id}/pdf", AUDIT_VIEWERS, 200, {}),
    "notices.escalation_pdf": ("GET", "/notices/escalations/{escalation_id}/pdf", AUDIT_VIEWERS, 200, {}),
    "notices.file": ("GET", "/notices/files/{notice_file_id}", AUDIT_VIEWERS, 200, {}),
    "notices.verify": ("POST", "/notices/{notice_id}/items/{notice_item_id}/verify", {"inspector", "supervisor"},
                       302, {}),
    "notices.escalate": ("GET", "/notices/{notice_id}/escalate", {"inspector", "supervisor"}, 200, {}),
    "notices.settings": ("GET", "/admin/document-settings", {"admin"}, 200, {}),
    "notices.portal_index": ("GET", "/portal/notices/", {"platform"}, 200, {}),
    "notices.portal_detail": ("GET", "/portal/notices/{notice_id}", {"platform"}, 200, {}),
    "notices.portal_pdf": ("GET", "/portal/notices/{notice_id}/pdf", {"platform"}, 200, {}),
    "notices.portal_file": ("GET", "/portal/notices/{notice_id}/files/{notice_file_id}", {"platform"}, 200, {}),
    # -- scheduler, notifications, backup (issue 9) --
    # Admins see the scheduled jobs and run them; everyone logged in has their own notifications (another
    # user's answers 404).
    "jobs.index": ("GET", "/admin/jobs/", {"admin"}, 200, {}),
    "jobs.detail": ("GET", "/admin/jobs/pii_erasure", {"admin"}, 200, {}),
    "jobs.run": ("POST", "/admin/jobs/pii_erasure/run", {"admin"}, 302, {}),
    "notifications.index": ("GET", "/notifications/", EVERY_ROLE, 200, {}),
    "notifications.open": ("GET", "/notifications/{notification_id}/open", set(), 404,
                           {r: 404 for r in EVERY_ROLE}),
    "notifications.read": ("POST", "/notifications/{notification_id}/read", set(), 404,
                           {r: 404 for r in EVERY_ROLE}),
    "notifications.read_all": ("POST", "/notifications/read-all", EVERY_ROLE, 302, {}),
    "notifications.email": ("POST", "/notifications/email", EVERY_ROLE, 302, {}),
    # -- scorecards (issue 8) --
    "scores.export_xlsx": ("GET", "/scores/export.xlsx?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "scores.export_pdf": ("GET", "/scores/export.pdf?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "scores.card": ("GET", "/scores/platforms/pa?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200, {}),
    "scores.card_xlsx": ("GET", "/scores/platforms/pa/export.xlsx?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200,
                         {}),
    "scores.card_pdf": ("GET", "/scores/platforms/pa/export.pdf?period=2026-10", AUDIT_VIEWERS | {"platform"}, 200,
                        {}),
    # Province-wide figures are for the office: a platform user is refused.
    "scores.province": ("GET", "/scores/province?period=2026-10", AUDIT_VIEWERS, 200, {}),
    "scores.recompute": ("POST", "/scores/recompute", {"inspector", "supervisor"}, 302, {}),
    "scores.weights": ("GET", "/admin/score-weights", {"admin"}, 200, {}),
    # -- bulletins (issue 9) --
    # The office's register for inspectors, supervisors and leaders; POSTs on the draft another inspector
    # edits are refused with a message (302). The public pages need no log-in and show published ones only.
    "bulletins.index": ("GET", "/bulletins/", AUDIT_VIEWERS, 200, {}),
    "bulletins.create": ("GET", "/bulletins/new", {"inspector", "supervisor"}, 200, {}),
    "bulletins.detail": ("GET", "/bulletins/{bulletin_id}", AUDIT_VIEWERS, 200, {}),
    "bulletins.preview": ("GET", "/bulletins/{bulletin_id}/preview", AUDIT_VIEWERS, 200, {}),
    "bulletins.edit": ("GET", "/bulletins/{bulletin_id}/edit", {"inspector", "supervisor"}, 302, {}),
    "bulletins.add_case": ("POST", "/bulletins/{bulletin_id}/cases", {"inspector", "supervisor"}, 302, {}),
    "bulletins.remove_case": ("POST", "/bulletins/{bulletin_id}/cases/{bulletin_case_id}/remove",
                              {"inspector", "supervisor"}, 302, {}),
    "bulletins.refresh": ("POST", "/bulletins/{bulletin_id}/refresh", {"inspector", "supervisor"}, 302, {}),
    "bulletins.submit": ("POST", "/bulletins/{bulletin_id}/submit", {"inspector", "supervisor"}, 302, {}),
    "bulletins.return_": ("POST", "/bulletins/{bulletin_id}/return", {"supervisor"}, 302, {}),
    "bulletins.publish": ("POST", "/bulletins/{bulletin_id}/publish", {"supervisor"}, 302, {}),
    "bulletins.correct": ("POST", "/bulletins/{bulletin_id}/correct", {"inspector", "supervisor"}, 302, {}),
    "bulletins.delete": ("POST", "/bulletins/{bulletin_id}/delete", {"inspector", "supervisor"}, 302, {}),
    "bulletins.public_index": ("GET", "/public/bulletins/", EVERY_ROLE | {ANON}, 200, {}),
    "bulletins.public_view": ("GET", "/public/bulletins/{published_bulletin_id}", EVERY_ROLE | {ANON}, 200, {}),
    "bulletins.public_pdf": ("GET", "/public/bulletins/{published_bulletin_id}.pdf", EVERY_ROLE | {ANON}, 200, {}),
    "bulletins.public_feed": ("GET", "/public/bulletins/feed.atom", EVERY_ROLE | {ANON}, 200, {}),
}


def expected(endpoint: str, role: str) -> int:
    _, _, allowed, ok, overrides = MATRIX[endpoint]
    if role in overrides:
        return overrides[role]
    if role in allowed:
        return ok
    return 302 if role == ANON else 403


def _ledger_objects(app, tmp_path) -> dict:
    """An accepted and a rejected submission of platform pa, one of its reports and an API token."""
    from sqlalchemy import select

    from supervision import db
    from supervision.models import Platform, Report, User
    from supervision.services.accounts import create_user
    from supervision.services.api_tokens import create_token
    from supervision.services.ledger_import import import_ledger
    from tests.ledger_samples import ledger_frame, to_csv_bytes

    with app.app_context():
        s = db.session()
        platform = s.scalar(select(Platform).where(Platform.code == "pa"))
        good = ledger_frame(3)
        bad = good.copy()
        bad.loc[0, "举报类型"] = "涉物"
        kw = dict(platform=platform, period="2026-10", channel="cli", upload_dir=app.config["UPLOAD_DIR"])
        accepted = import_ledger(s, filename="a.csv", data=to_csv_bytes(good), **kw).submission
        rejected = import_ledger(s, filename="b.csv", data=to_csv_bytes(bad), **kw).submission
        owner = create_user(s, "token_owner", "platform", "Passw0rd-for-tests", platform_code="pa")
        token, _raw = create_token(s, owner, "对接")
        report = s.scalar(select(Report))
        audit_ids = _audit_objects(s, app)
        s.commit()
        return {"submission_id": accepted.id, "rejected_id": rejected.id, "report_pk": report.id,
                "report_id": report.report_id, "token_id": token.id, **audit_ids}


def _audit_objects(s, app) -> dict:
    """A started audit of platform pa with a sampled report, one of its findings and an evidence file."""
    from datetime import date

    from sqlalchemy import select

    from supervision.models import Finding, SampleItem
    from supervision.services import audits
    from supervision.services.accounts import create_user
    from supervision.services.checks import run_check
    from supervision.services.platforms import by_code

    lead = create_user(s, "audit_lead", "inspector", "Passw0rd-for-tests")
    audit = audits.create_audit(s, lead, audits.AuditInput(
        kind="focused", title="矩阵测试检查", period_from="2026-10", period_to="2026-10", due_date=date(2026, 12, 31),
        platform_codes=["pa"], inspector_ids=[lead.id]))
    audits.start_audit(s, audit, "audit_lead")
    run_check(s, by_code(s, "pa"), "2026-10", trigger="manual")
    item = s.scalar(select(SampleItem).where(SampleItem.audit_id == audit.id))
    finding = s.scalar(select(Finding))
    ev = audits.add_evidence(s, item, "证据.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, app.config["UPLOAD_DIR"], "audit_lead")
    return {"audit_id": audit.id, "item_id": item.id, "finding_id": finding.id, "evidence_id": ev.id}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(MATRIX)
    assert not missing, f"routes missing from the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - endpoints
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"
    for rule in app.url_map.iter_rules():
        method = MATRIX[rule.endpoint][0]
        assert method in rule.methods, (rule.endpoint, rule.methods)


@pytest.mark.parametrize("role", sorted(EVERY_ROLE | {ANON}))
def test_route_role_matrix(app, make_user, make_platform, role, tmp_path):
    pid = make_platform("pa")
    target = make_user("target", "leader")
    ids = {"platform_id": pid, "user_id": target, **_ledger_objects(app, tmp_path), **_complaint_objects(app),
           **_notification_objects(app, target), **_notice_objects(app), **_bulletin_objects(app)}
    client = app.test_client()
    if role != ANON:
        make_user("me_user", role, "pa" if role == "platform" else None)
        assert login(client, "me_user").status_code == 302
    failures = []
    for endpoint, (method, template, *_rest) in MATRIX.items():
        path = template.format(**ids)
        data = {"password": "Temp-passw0rd-1"} if method == "POST" else None
        r = client.open(path, method=method, data=data)
        want = expected(endpoint, role)
        if r.status_code != want:
            failures.append(f"{method} {path} as {role}: {r.status_code}, expected {want}")
        elif role == ANON and want == 302 and endpoint != "auth.logout":
            if "/login" not in r.headers["Location"]:
                failures.append(f"{method} {path} as {role}: redirected to {r.headers['Location']}, not the log-in")
        if endpoint == "auth.logout" and role != ANON:
            assert login(client, "me_user").status_code == 302  # log back in for the remaining routes
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", sorted(EVERY_ROLE))
def test_forbidden_and_missing_pages_answer_in_chinese(app, make_user, role, make_platform):
    make_platform("pa")
    make_user("me_user", role, "pa" if role == "platform" else None)
    client = app.test_client()
    login(client, "me_user")
    r = client.get("/audit/" if role != "security_auditor" else "/admin/users/")
    assert r.status_code == 403 and "无权访问" in r.get_data(as_text=True)
    assert "页面不存在" in client.get("/no/such/page").get_data(as_text=True)


def test_server_error_page_is_chinese_and_hides_the_trace(app_config):
    from app import create_app
    from tests.conftest import _empty_tables

    app = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})
    try:
        def boom():
            raise RuntimeError("secret internal detail")

        app.add_url_rule("/boom-for-test", "boom", boom)
        r = app.test_client().get("/boom-for-test")
        body = r.get_data(as_text=True)
        assert r.status_code == 500 and "系统错误" in body and "secret internal detail" not in body
        assert "Traceback" not in body
    finally:
        _empty_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


def _complaint_objects(app) -> dict:
    """A complaint about platform pa with an attachment, transferred and answered with a file."""
    from sqlalchemy import select

    from supervision import db
    from supervision.models import ComplaintFile
    from tests.complaint_helpers import PDF, PNG, file_one, to_answered

    with app.app_context():
        s = db.session()
        c = file_one(s, app, files=[("截图.png", PNG)]).complaint
        to_answered(s, app, c, files=[("答复.pdf", PDF)])
        s.commit()
        files = {f.owner: f.id for f in s.scalars(select(ComplaintFile).where(ComplaintFile.complaint_id == c.id))}
        return {"complaint_id": c.id, "complaint_file_id": files["complainant"], "platform_file_id": files["platform"]}


def _notification_objects(app, user_id) -> dict:
    """A notification of the target user (nobody else may open or mark it)."""
    from sqlalchemy import select

    from supervision import db
    from supervision.models import Notification, User
    from supervision.services.notifications import notify

    with app.app_context():
        s = db.session()
        notify(s, s.get(User, user_id), "matrix", "矩阵测试提醒", object_type="user", object_id=user_id, link="/")
        s.commit()
        return {"notification_id": s.scalar(select(Notification.id).where(Notification.user_id == user_id))}


def _notice_objects(app) -> dict:
    """Notices of platform pa: a draft by another inspector, and an issued one, answered with a file,
    overdue and escalated."""
    from datetime import timedelta

    from sqlalchemy import select

    from supervision import db
    from supervision.models import NoticeFile, NoticeItem, Platform
    from supervision.services import notices as svc
    from supervision.services.accounts import create_user
    from tests.notices.helpers import OFFICE, PDF, issued, seed_audit

    with app.app_context():
        s = db.session()
        pid = s.scalar(select(Platform.id).where(Platform.code == "pa"))
        drafter = create_user(s, "notice_drafter", "inspector", "Passw0rd-for-tests")
        create_user(s, "notice_approver", "supervisor", "Passw0rd-for-tests")
        answerer = create_user(s, "notice_platform", "platform", "Passw0rd-for-tests", platform_code="pa")
        draft = svc.create_draft(s, drafter, seed_audit(s, pid, drafter.id, title="矩阵草稿").id, pid)
        notice = issued(s, "notice_drafter", "notice_approver", seed_audit(s, pid, drafter.id, title="矩阵通知"), pid)
        svc.submit_answers(s, notice, answerer, {it.id: ("已整改", [("报告.pdf", PDF)]) for it in svc.items_of(s, notice)},
                           app.config["UPLOAD_DIR"])
        for item in svc.items_of(s, notice):
            svc.verify_item(s, notice, item, drafter, "reject", "不到位")
        svc.scan_overdue(s, notice.deadline + timedelta(days=1))
        escalation = svc.escalate(s, notice, drafter, svc.escalation_defaults(s, notice, "约谈"), OFFICE)
        s.commit()
        return {"draft_notice_id": draft.id, "notice_id": notice.id, "escalation_id": escalation.id,
                "notice_item_id": s.scalar(select(NoticeItem.id).where(NoticeItem.notice_id == notice.id).limit(1)),
                "notice_file_id": s.scalar(select(NoticeFile.id).limit(1))}


def _bulletin_objects(app) -> dict:
    """A draft monthly bulletin edited by another inspector, with a typical case, and a published one."""
    from sqlalchemy import select

    from supervision import db
    from supervision.models import Finding
    from supervision.services import bulletins as svc
    from supervision.services.accounts import create_user

    with app.app_context():
        s = db.session()
        editor = create_user(s, "bulletin_editor", "inspector", "Passw0rd-for-tests")
        approver = create_user(s, "bulletin_approver", "supervisor", "Passw0rd-for-tests")
        draft = svc.create_monthly(s, editor, "2026-10")
        case = svc.add_case(s, draft, editor, "finding", s.scalar(select(Finding.id).limit(1)))
        published = svc.create_monthly(s, editor, "2026-09")
        svc.submit(s, published, editor)
        svc.publish(s, published, approver, "省互联网信息办公室")
        s.commit()
        return {"bulletin_id": draft.id, "bulletin_case_id": case.id, "published_bulletin_id": published.id}
