"""SQL-injection and malformed-value probes in every list filter and query parameter of the
staff pages, the platform portal and the API (the parameters read from ``request.args`` in
supervision/web/*.py and supervision/api/v1.py). Every answer is 200/302/400/404 (never a server
error); a probe in an exact-match filter returns no rows; platform pa's user never sees platform
pb's rows; every table is still there and holds what it held."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from supervision import db as dbmod
from supervision.models import Complaint, Finding, LedgerSubmission, Report
from tests.conftest import login
from tests.hardening.world import build

PROBES = ("' OR 1=1 --", "1; DROP TABLE reports", "pa' UNION SELECT * FROM users --", "%", "\x00",
          "99999999999999999999999", "-1", "é\\" + "a" * 300)

# route -> (user, parameters read from request.args, parameters that are exact-match filters)
ROUTES = {
    "/ledgers/": ("insp", ("platform", "period", "status", "page"), ("platform", "period")),
    "/reports/lookup": ("insp", ("report_id", "platform"), ("report_id",)),
    "/findings/": ("insp", ("platform", "period", "rule", "severity", "status", "page"), ("platform", "period", "rule")),
    "/findings/export.xlsx": ("insp", ("platform", "period", "rule", "severity", "status"), ()),
    "/problems/": ("insp", ("platform", "audit", "rule", "severity", "status", "sort", "page"), ("platform", "rule")),
    "/problems/export.xlsx": ("insp", ("platform", "audit", "rule", "severity", "status", "sort"), ()),
    "/complaints/": ("handler", ("status", "platform", "overdue", "duplicates", "q"), ("platform", "q")),
    "/complaints/satisfaction": ("handler", ("period",), ()),
    "/notices/": ("insp", ("platform", "year", "status", "overdue", "q", "page"), ("platform", "q")),
    "/notices/export.xlsx": ("insp", ("platform", "year", "status", "overdue", "q"), ()),
    "/notifications/": ("insp", ("unread", "page"), ()),
    "/platforms/": ("insp", ("q",), ()),
    "/scores": ("insp", ("period", "sort", "dir"), ()),
    "/scores.csv": ("insp", ("period",), ()),
    "/scores/platforms/pa": ("insp", ("period",), ()),
    "/signals": ("insp", ("period", "platform"), ()),
    "/accounts": ("insp", ("from", "to", "min_reports", "min_platforms"), ()),
    "/admin/calendar": ("adm", ("year",), ()),
    "/admin/users/": ("adm", ("role",), ()),
    "/audit/": ("aud", ("action", "actor", "object_type", "from", "to", "page"), ("actor", "object_type")),
    "/audit/export.csv": ("aud", ("action", "actor", "object_type", "from", "to"), ()),
}
PORTAL = {
    "/ledgers/": ("platform", "period", "status", "page"),
    "/reports/lookup": ("report_id", "platform"),
    "/findings/": ("platform", "period", "rule", "severity", "status", "page"),
    "/findings/export.xlsx": ("platform", "period", "rule", "status"),
    "/problems/": ("platform", "audit", "rule", "severity", "status", "sort", "page"),
    "/problems/export.xlsx": ("platform", "rule", "status"),
    "/portal/complaints/": ("status",),
    "/scores": ("period", "sort", "dir"),
    "/scores.csv": ("period",),
}
ALLOWED = {200, 302, 400, 404}
ROW_MARKERS = ("A-PLAIN", "B-SECRET1", "B-SECRET2")


@pytest.fixture
def world(app, runner, make_platform, make_user, tmp_path):
    return build(app, runner, make_platform, make_user, tmp_path, "普通文本", report_id="A-1")


def _snapshot(session) -> dict:
    return {m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (Report, Finding, Complaint, LedgerSubmission)}


def _client(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _probe(client, route: str, params, exact=()) -> list[str]:
    failures = []
    for param in params:
        for probe in PROBES:
            r = client.get(route + "?" + urlencode({param: probe}))
            body = r.get_data()
            if r.status_code not in ALLOWED:
                failures.append(f"{route}?{param}={probe[:30]!r}: {r.status_code}")
            elif param in exact and probe not in ("%", "_") and any(m.encode() in body for m in ROW_MARKERS):
                failures.append(f"{route}?{param}={probe[:30]!r}: rows despite a filter matching nothing")
    return failures


def test_staff_filters_survive_injection_probes(app, world, session):
    before = _snapshot(session)
    clients, failures = {}, []
    for route, (username, params, exact) in ROUTES.items():
        client = clients.setdefault(username, _client(app, username))
        failures += _probe(client, route, params, exact)
    assert not failures, "\n".join(failures)
    assert _snapshot(session) == before
    assert {"reports", "complaints", "users", "findings", "audit_events"} <= set(dbmod.table_names(app.extensions["db_engine"]))


def test_platform_filters_never_reveal_another_platform(app, world, session):
    before = _snapshot(session)
    client = _client(app, "user_a")
    failures = []
    for route, params in PORTAL.items():
        for param in params:
            for probe in PROBES + ("pb", "pb' OR '1'='1", "B-SECRET1"):
                r = client.get(route + "?" + urlencode({param: probe}))
                text = r.get_data()
                if r.status_code not in ALLOWED:
                    failures.append(f"{route}?{param}={probe[:30]!r}: {r.status_code}")
                if b"B-SECRET2" in text or "乙平台".encode() in text:
                    failures.append(f"{route}?{param}={probe[:30]!r}: platform pb's data shown to pa")
    assert not failures, "\n".join(failures)
    assert _snapshot(session) == before


def test_api_query_parameters_survive_injection_probes(app, world, session):
    from supervision.models import User
    from supervision.services.api_tokens import create_token

    with app.app_context():
        s = dbmod.session()
        _token, raw = create_token(s, s.get(User, world.ids["user_a"]), "探测")
        s.commit()
    before = _snapshot(session)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    failures = []
    for route, param in (("/api/v1/findings", "period"), ("/api/v1/complaints", "status")):
        for probe in PROBES + ("2026-09",):
            r = client.get(route + "?" + urlencode({param: probe}), headers=headers)
            if r.status_code not in ALLOWED:
                failures.append(f"{route}?{param}={probe[:30]!r}: {r.status_code}")
            elif b"B-SECRET" in r.data:
                failures.append(f"{route}?{param}={probe[:30]!r}: platform pb's data")
    for probe in ("' OR 1=1 --", "1; DROP TABLE reports", "\x00"):
        r = client.get("/api/v1/findings", headers={"Authorization": f"Bearer {probe}"})
        if r.status_code != 401:
            failures.append(f"token {probe!r}: {r.status_code}")
    assert not failures, "\n".join(failures)
    assert _snapshot(session) == before


def test_nul_characters_are_refused_before_any_view(app, make_user):
    """PostgreSQL cannot hold NUL in text: a parameter or form field carrying one gets a 400 in
    Chinese instead of a server error deep in a query."""
    make_user("insp", "inspector")
    client = _client(app, "insp")
    r = client.get("/findings/?rule=%00")
    assert r.status_code == 400 and "不允许的字符" in r.get_data(as_text=True)
    r = app.test_client().post("/complaint/query", data={"tracking_no": "T\x00", "code": "x"})
    assert r.status_code == 400 and "不允许的字符" in r.get_data(as_text=True)
