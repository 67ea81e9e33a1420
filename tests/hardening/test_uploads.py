"""Hostile uploads: file names with ``../``, backslashes and absolute paths are stored under
generated names inside UPLOAD_DIR only (the sent name is kept for display, reduced to its last
part); polyglot files (a PDF or PNG header glued to HTML/JS) are served only as attachments,
with a safe content type and ``nosniff``; files without an accepted signature are refused;
too large files and requests are refused with a clear Chinese message. (Zip bombs and broken
workbooks: tests/importers/test_hostile_files.py.)"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from supervision import db
from supervision.models import (Complaint, ComplaintFile, ItemEvidence, LedgerSubmission, NoticeFile, SampleItem)
from supervision.services import ValidationError
from supervision.services import audits as audits_svc
from supervision.services import notices as notices_svc
from tests.complaint_helpers import PDF, PNG, file_one, to_answered
from tests.conftest import login
from tests.ledger_samples import ledger_frame, to_csv_bytes
from tests.notices.helpers import OFFICE, seed_audit, user

HOSTILE_NAMES = ("../../../../tmp/evil.png", "/etc/cron.d/evil.png", "..\\..\\windows\\evil.png",
                 "C:\\evil\\evil.png", "evil\x00.png\r\n.html", "....//....//evil.png")
PDF_POLYGLOT = PDF + b"<html><body><script>alert(document.cookie)</script></body></html>"
PNG_POLYGLOT = PNG + b"<script>alert(1)</script><?php system($_GET['c']); ?>"


def _inside(upload_dir: str, stored: str) -> bool:
    root = Path(upload_dir).resolve()
    return root in (root / stored).resolve().parents


def _all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _assert_names_safe(app, tmp_path, shown_names):
    upload_dir = app.config["UPLOAD_DIR"]
    for name in shown_names:
        assert "/" not in name and "\\" not in name and not name.startswith(".") and name.isprintable(), name
    for path in _all_files(Path(upload_dir)):
        assert path.stem.replace(".", "").isalnum() and len(path.stem) >= 32, path  # generated names only
    strays = [p for p in _all_files(tmp_path) if "evil" in p.name]
    assert not strays, strays


def test_complaint_and_notice_files_get_generated_names_inside_upload_dir(app, make_platform, make_user, tmp_path):
    make_platform("pa")
    make_user("insp", "inspector")
    make_user("sup", "supervisor")
    make_user("user_a", "platform", "pa")
    with app.app_context():
        s = db.session()
        filed = file_one(s, app, files=[(n, PNG) for n in HOSTILE_NAMES[:5]])
        to_answered(s, app, filed.complaint, files=[(HOSTILE_NAMES[5], PDF)])
        s.commit()
        platform_id = filed.complaint.platform_id
        audit = seed_audit(s, platform_id, user(s, "insp").id)
        notice = notices_svc.create_draft(s, user(s, "insp"), audit.id, platform_id)
        notice.contact_phone = "0571-87000000"
        notices_svc.submit(s, notice, user(s, "insp"))
        notices_svc.issue(s, notice, user(s, "sup"), OFFICE)
        s.commit()
        answers = {it.id: ("已整改。", [(HOSTILE_NAMES[i % 6], PDF)]) for i, it in
                   enumerate(notices_svc.items_of(s, notice))}
        notices_svc.submit_answers(s, notice, user(s, "user_a"), answers, app.config["UPLOAD_DIR"])
        s.commit()
        files = s.scalars(select(ComplaintFile)).all() + s.scalars(select(NoticeFile)).all()
        assert len(files) == 6 + len(answers)
        for f in files:
            assert _inside(app.config["UPLOAD_DIR"], ("complaints/" if isinstance(f, ComplaintFile) else "notices/")
                           + f.stored_name)
        assert {f.original_name for f in files} >= {"evil.png"}
        _assert_names_safe(app, tmp_path, [f.original_name for f in files])


def test_ledger_uploads_keep_only_the_last_part_of_the_name(app, client, make_platform, make_user, session, tmp_path):
    from supervision.models import User
    from supervision.services.api_tokens import create_token

    make_platform("pa")
    uid = make_user("user_a", "platform", "pa")
    login(client, "user_a")
    data = to_csv_bytes(ledger_frame(3))
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(data), "../../../../tmp/evil.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[-500:]
    with app.app_context():
        s = db.session()
        _token, raw = create_token(s, s.get(User, uid), "上传")
        s.commit()
    r = app.test_client().post("/api/v1/ledgers", headers={"Authorization": f"Bearer {raw}"}, data={
        "period": "2026-09", "file": (io.BytesIO(to_csv_bytes(ledger_frame(3, "2026-09"))), "..\\..\\evil.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    subs = session.scalars(select(LedgerSubmission)).all()
    assert [s.filename for s in subs] == ["evil.csv", "evil.csv"]
    assert all(_inside(app.config["UPLOAD_DIR"], s.archive_name) for s in subs)
    _assert_names_safe(app, tmp_path, [s.filename for s in subs])
    r = client.get(f"/ledgers/{subs[0].id}/original")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert "/" not in r.headers["Content-Disposition"].split("filename", 1)[1]


def test_polyglot_files_are_served_only_as_attachments(app, make_platform, make_user, session):
    make_platform("pa")
    make_user("handler", "complaint_handler")
    make_user("user_a", "platform", "pa")
    make_user("insp", "inspector")
    with app.app_context():
        s = db.session()
        filed = file_one(s, app, files=[("report.pdf", PDF_POLYGLOT), ("shot.png", PNG_POLYGLOT)])
        to_answered(s, app, filed.complaint, files=[("answer.html", PDF_POLYGLOT)])
        s.commit()
        cid = filed.complaint.id
        # A file without an accepted signature (HTML, SVG with script) is refused outright.
        for name, data in (("x.html", b"<html><script>alert(1)</script>"),
                           ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')):
            with pytest.raises(ValidationError, match="PDF"):
                file_one(s, app, files=[(name, data)])
            s.rollback()
    handler = app.test_client()
    login(handler, "handler")
    portal = app.test_client()
    login(portal, "user_a")
    files = session.scalars(select(ComplaintFile).where(ComplaintFile.complaint_id == cid)).all()
    assert len(files) == 3
    for f in files:
        responses = [handler.get(f"/complaints/{cid}/files/{f.id}")]
        if f.owner == "platform":
            responses.append(portal.get(f"/portal/complaints/{cid}/files/{f.id}"))
        for r in responses:
            assert r.status_code == 200
            assert r.headers["Content-Disposition"].startswith("attachment")
            assert r.headers["Content-Type"] in ("application/octet-stream", "application/pdf", "image/png")
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert "html" not in r.headers["Content-Type"] and "svg" not in r.headers["Content-Type"]


def test_audit_evidence_polyglot_and_path_names(app, runner, make_platform, make_user, tmp_path, session):
    from tests.hardening.world import build

    world = build(app, runner, make_platform, make_user, tmp_path, "普通文本", report_id="A-1")
    with app.app_context():
        s = db.session()
        item = s.get(SampleItem, world.ids["item"])
        row = audits_svc.add_evidence(s, item, "..\\..\\evil.pdf", PDF_POLYGLOT, app.config["UPLOAD_DIR"], "insp")
        s.commit()
        evidence_id = row.id
        assert row.filename == "evil.pdf" and _inside(app.config["UPLOAD_DIR"], row.stored_name)
        with pytest.raises(ValidationError, match="PDF"):
            audits_svc.add_evidence(s, item, "x.html", b"<script>alert(1)</script>", app.config["UPLOAD_DIR"], "insp")
        s.rollback()
    staff = app.test_client()
    login(staff, "insp")
    r = staff.get(f"/audits/evidence/{evidence_id}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["Content-Type"] == "application/pdf" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert session.get(ItemEvidence, evidence_id).filename == "evil.pdf"
    _assert_names_safe(app, tmp_path, ["evil.pdf"])


def test_too_large_uploads_are_refused_in_chinese(app, client, make_platform, make_user, session, monkeypatch):
    make_platform("pa")
    make_user("user_a", "platform", "pa")
    login(client, "user_a")
    app.config["LEDGER_MAX_BYTES"] = 1024
    data = to_csv_bytes(ledger_frame(20))
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(data), "big.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "超过上限" in r.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 2048
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(data), "big.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 413 and "文件过大" in r.get_data(as_text=True)
    r = app.test_client().post("/complaint/new", data={"name": "张三", "attachments": (io.BytesIO(PNG * 100), "a.png")},
                               content_type="multipart/form-data")
    assert r.status_code == 413 and "上传的文件超过了系统允许的大小" in r.get_data(as_text=True)
    r = app.test_client().post("/api/v1/ledgers", data={"period": "2026-10", "file": (io.BytesIO(data), "a.csv")},
                               content_type="multipart/form-data")
    assert r.status_code in (401, 413)
    assert session.scalar(select(LedgerSubmission)) is None
    from supervision.standard import complaints as std

    monkeypatch.setattr(std, "MAX_ATTACHMENT_BYTES", 100)
    with app.app_context():
        s = db.session()
        with pytest.raises(ValidationError, match="超过"):
            file_one(s, app, files=[("a.png", PNG * 10)])
        s.rollback()
    assert session.scalar(select(Complaint)) is None
