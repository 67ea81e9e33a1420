"""XSS probes: script tags, attribute break-outs and javascript: links put into every text field
that is shown back (ledger cells, rejected cells quoted in the error list, complaint texts and
names, the platform's answers, handlers' replies, notice texts and answers, review notes, the
audit log) come back only escaped, on every page that shows them: staff, platform portal and the
public query pages. The log-in page's ``next`` never leads off the site."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from supervision.models import LedgerSubmission, Report
from tests.conftest import login
from tests.hardening.world import build

PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
REPORT_ID = '"><img src=x onerror=alert(1)><script>alert(1)</script>'  # ≤ 64 characters
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW = (re.compile(r"<script>alert\(1\)", re.I), re.compile(r"<img[^>]*onerror", re.I),
       re.compile(r"""href=["']?\s*javascript:""", re.I))


@pytest.fixture
def world(app, runner, make_platform, make_user, tmp_path):
    return build(app, runner, make_platform, make_user, tmp_path, PAYLOAD, report_id=REPORT_ID)


def _inert(client, url: str, shown: bool = False, method: str = "get", **kw) -> str:
    r = getattr(client, method)(url, follow_redirects=True, **kw)
    assert r.status_code == 200, (url, r.status_code)
    html = r.get_data(as_text=True)
    for pattern in RAW:
        m = pattern.search(html)
        assert m is None, f"{url}: raw markup from user input: …{html[max(0, m.start() - 80):m.end() + 80]}…"
    if shown:
        assert ESCAPED in html, f"{url}: the payload is not shown at all (the probe would prove nothing)"
    return html


def _as(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _ids(session, world):
    subs = {s.status: s.id for s in session.scalars(select(LedgerSubmission).where(
        LedgerSubmission.platform_id == world.ids["pa"]))}
    report = session.scalar(select(Report).where(Report.report_id == REPORT_ID))
    return subs, report.id


def test_staff_pages_show_hostile_ledger_complaint_notice_and_review_texts_escaped(app, world, session):
    subs, report_pk = _ids(session, world)
    i = world.ids
    client = _as(app, "insp")
    for url, shown in (
        ("/ledgers/", False), (f"/ledgers/{subs['accepted']}", True), (f"/ledgers/{subs['rejected']}", True),
        (f"/reports/{report_pk}", True), ("/reports/lookup?report_id=" + REPORT_ID.replace("&", "%26"), False),
        ("/findings/", True), ("/findings/?platform=pa&period=2026-09", True), ("/problems/", True),
        ("/audits/", True), (f"/audits/{i['audit']}", True), (f"/audits/{i['audit']}/platforms/{i['pa']}", True),
        (f"/audits/{i['audit']}/items/{i['item']}", True), ("/notices/", False), (f"/notices/{i['notice']}", True),
        ("/complaints/", False), (f"/complaints/{i['complaint_answered']}", True),
        ("/signals?period=2026-09", False), ("/accounts?from=2026-09&to=2026-09&min_reports=2", False),
    ):
        _inert(client, url, shown)
    client = _as(app, "handler")
    for url, shown in (("/complaints/", False), (f"/complaints/{i['complaint_answered']}", True),
                       (f"/complaints/{i['complaint_closed']}", True)):
        _inert(client, url, shown)
    client = _as(app, "aud")
    _inert(client, "/audit/?action=audit.", shown=True)
    _inert(client, "/audit/")


def test_platform_portal_shows_hostile_texts_escaped(client, world, session):
    subs, report_pk = _ids(session, world)
    i = world.ids
    login(client, "user_a")
    for url, shown in (("/ledgers/", False), (f"/ledgers/{subs['rejected']}", True), (f"/reports/{report_pk}", True),
                       ("/findings/", True), ("/problems/", True), ("/portal/complaints/", False),
                       (f"/portal/complaints/{i['complaint_answered']}", True), ("/portal/notices/", False),
                       (f"/portal/notices/{i['notice']}", True)):
        _inert(client, url, shown)


def test_public_query_pages_show_the_reply_escaped(client, world):
    for key in ("answered", "closed"):
        tracking, code = world.tracking[key]
        r = client.post("/complaint/query", data={"tracking_no": tracking, "code": code})
        assert r.status_code == 302, r.get_data(as_text=True)[-800:]
        _inert(client, "/complaint/track", shown=key == "closed")


def test_hostile_text_typed_into_forms_comes_back_escaped(client, world):
    """Texts typed into refused forms are shown back in the fields (value= and <textarea>)."""
    r = client.post("/complaint/new", data={"name": PAYLOAD, "contact": PAYLOAD, "description": PAYLOAD,
                                            "report_number": PAYLOAD, "platform": "other",
                                            "platform_other": PAYLOAD, "report_date": PAYLOAD})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert not any(p.search(html) for p in RAW)
    assert "&lt;script&gt;" in html
    login(client, "user_a")
    r = client.post(f"/portal/notices/{world.ids['notice']}", data={"text_1": PAYLOAD})
    assert r.status_code in (200, 422)
    assert not any(p.search(r.get_data(as_text=True)) for p in RAW)


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "/\t/evil.example/", "javascript:alert(1)",
                                    "https://evil.example/", "/%0a/evil.example"])
def test_login_next_never_leads_off_the_site(client, make_user, target):
    make_user("insp", "inspector")
    r = client.post("/login", query_string={"next": target},
                    data={"username": "insp", "password": "Passw0rd-for-tests"})
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil.example" not in location.split("?")[0] or location.startswith("/%")
    assert not location.lower().startswith("javascript")
