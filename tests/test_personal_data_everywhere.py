"""The personal-data canary over the whole finished system: the demo province (ledgers, checks,
an audit, notices, scorecards, complaints, a published bulletin) plus complaints filed with
unique fake names, phone numbers, e-mail addresses and ID numbers. A platform user and the
public then follow every link they are shown — pages, exports (.xlsx, .csv), PDFs (as text) and
the API — and none of those values may appear anywhere."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections import deque
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from supervision import db
from tests.complaint_helpers import file_canaries
from tests.conftest import login

CANARIES = [
    {"name": "欧阳雀鹰", "contact": "13712340917", "text": "请回电 13612340918 或写信 queying.canary@example.org，身份证 44030419870202123X"},
    {"name": "东方鸲鹆", "contact": "quyu.canary@example.net", "text": "我的手机 159 8765 0919，证件号 110105198102021235"},
]
SECRETS = ["欧阳雀鹰", "雀鹰", "13712340917", "13612340918", "queying.canary", "44030419870202123X", "东方鸲鹆",
           "鸲鹆", "quyu.canary", "159 8765 0919", "15987650919", "110105198102021235"]
HREF = re.compile(r'(?:href|src)="([^"#]+)"')
SKIP = ("/logout", "/static/")  # log-out is a form; static files hold no data
MAX_PAGES = 400
PER_SHAPE = 3  # pages of one shape (ids and query values aside) fetched: broad, not deep


def _text_of(path: str, content_type: str, body: bytes) -> str:
    if content_type.startswith("application/pdf"):
        out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True)
        text = out.stdout.decode("utf-8")
        assert text.strip(), f"{path}: the PDF has no extractable text"
        return text
    if "spreadsheetml" in content_type or path.split("?")[0].endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", errors="ignore") for n in z.namelist())
    return body.decode("utf-8", errors="ignore")


def _crawl(client, start: list[str]) -> dict[str, int]:
    """Every same-site GET link reachable from ``start``; returns path -> status. Fails on a
    leaked value or a server error."""
    seen: dict[str, int] = {}
    shapes: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        shape = re.sub(r"=[^&]*", "=", re.sub(r"\d+", "N", path))
        if path not in start and shapes.get(shape, 0) >= PER_SHAPE:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        r = client.get(path)
        seen[path] = r.status_code
        assert r.status_code < 500, f"{path} answered {r.status_code}"
        if r.status_code != 200:
            continue
        ctype = r.headers.get("Content-Type", "")
        text = _text_of(path, ctype, r.data)
        leaked = [x for x in SECRETS if x in text]
        assert not leaked, f"{path} shows {leaked}"
        if ctype.startswith("text/html"):
            for href in HREF.findall(text):
                href = href.replace("&amp;", "&")
                url = urlsplit(urljoin("http://localhost" + path, href))
                if url.netloc != "localhost" or url.path.startswith(SKIP):
                    continue
                queue.append(url.path + ("?" + url.query if url.query else ""))
    assert len(seen) < MAX_PAGES, "the crawl was cut short"
    return seen


def test_no_personal_data_reaches_a_platform_or_the_public(app, runner, clock, make_user):
    from supervision.models import Complaint, User
    from supervision.services.api_tokens import create_token

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        s = db.session()
        file_canaries(s, app, CANARIES, platform="yunfan", prefix="CANARY-")
        s.commit()
        ids = [c.id for c in s.scalars(select(Complaint).where(Complaint.report_number.like("CANARY-%")))]
        user = s.scalar(select(User).where(User.username == "yunfan"))
        _t, raw = create_token(s, user, "canary")
        s.commit()

    platform = app.test_client()
    assert login(platform, "yunfan", "Demo2026pass").status_code == 302
    seen = _crawl(platform, ["/"] + [f"/portal/complaints/{i}" for i in ids])
    reached = [p for p, status in seen.items() if status == 200]
    # The crawl really went everywhere a platform works: its ledgers, findings, notices (and the
    # stored PDF), complaints transferred to it (the canaries among them), its scorecard and exports.
    for expected in ("/ledgers/", "/findings/", "/portal/notices/", "/portal/complaints/", "/problems/"):
        assert expected in reached, expected
    assert any(p.startswith("/portal/notices/") and p.endswith("/pdf") for p in reached)
    assert any(p.startswith("/scores/platforms/yunfan") and ".pdf" in p for p in reached)
    assert any(".xlsx" in p for p in reached)
    assert all(f"/portal/complaints/{i}" in reached for i in ids)

    public = app.test_client()
    seen = _crawl(public, ["/complaint/new", "/complaint/query", "/public/bulletins/", "/public/bulletins/feed.atom"])
    reached = [p for p, status in seen.items() if status == 200]
    assert any(p.endswith(".pdf") for p in reached) and any(re.fullmatch(r"/public/bulletins/\d+", p)
                                                             for p in reached)

    api = app.test_client()
    for path in ("/api/v1/complaints", "/api/v1/complaints?status=已转办", "/api/v1/findings",
                 "/api/v1/findings?period=2026-10"):
        r = api.get(path, headers={"Authorization": f"Bearer {raw}"})
        assert r.status_code == 200
        leaked = [x for x in SECRETS if x in r.get_data(as_text=True)]
        assert not leaked, f"API {path} shows {leaked}"
