"""Faults: the disk fills up while an upload is being written. The person gets a clear Chinese
message, nothing is stored in the database and no partial or orphaned file is left."""
from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from supervision import db
from supervision.models import Complaint, ComplaintFile, LedgerSubmission, Report
from supervision.services import ValidationError
from tests.complaint_helpers import PDF, PNG, file_one
from tests.conftest import login
from tests.ledger_samples import ledger_frame, to_csv_bytes


def _full_after(n_ok: int):
    """An os.fsync that succeeds ``n_ok`` times, then fails as on a full disk."""
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd):
        calls["n"] += 1
        if calls["n"] > n_ok:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    return fsync


def _files(root: str) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def test_complaint_attachments_on_a_full_disk(app, make_platform, session, monkeypatch):
    make_platform("pa")
    monkeypatch.setattr("supervision.uploads.os.fsync", _full_after(1))  # the second attachment fails
    with app.app_context():
        s = db.session()
        with pytest.raises(ValidationError) as e:
            file_one(s, app, files=[("a.png", PNG), ("b.pdf", PDF)])
        s.rollback()
    assert "存储空间不足" in e.value.errors["attachments"]
    assert session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert session.scalar(select(func.count()).select_from(ComplaintFile)) == 0
    assert _files(app.config["UPLOAD_DIR"]) == []  # neither the first file nor the part of the second


def test_ledger_upload_on_a_full_disk_web_and_cli(app, client, runner, make_platform, make_user, session, monkeypatch,
                                                   tmp_path):
    make_platform("pa")
    make_user("user_a", "platform", "pa")
    login(client, "user_a")
    data = to_csv_bytes(ledger_frame(5))
    monkeypatch.setattr("supervision.services.ledger_import.os.fsync", _full_after(0))
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(data), "l.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 507 and "存储空间不足" in r.get_data(as_text=True)
    path = tmp_path / "l.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10", str(path)])
    assert result.exit_code == 1 and "存储空间不足" in result.output, result.output
    assert session.scalar(select(func.count()).select_from(LedgerSubmission)) == 0
    assert session.scalar(select(func.count()).select_from(Report)) == 0
    monkeypatch.undo()
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(data), "l.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302  # space again: the same file goes through
    assert session.scalar(select(func.count()).select_from(Report)) == 5


def test_ledger_archive_leaves_no_partial_file_on_a_full_disk(app, client, make_platform, make_user, monkeypatch):
    make_platform("pa")
    make_user("user_a", "platform", "pa")
    login(client, "user_a")
    monkeypatch.setattr("supervision.services.ledger_import.os.fsync", _full_after(0))
    r = client.post("/ledgers/upload", data={"period": "2026-10", "file": (io.BytesIO(to_csv_bytes(ledger_frame(5))),
                                                                            "l.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 507
    assert _files(app.config["UPLOAD_DIR"]) == []


def test_notice_answer_and_evidence_files_on_a_full_disk(app, runner, make_platform, make_user, tmp_path, session,
                                                         monkeypatch):
    from supervision.models import ItemEvidence, NoticeAnswer, SampleItem
    from supervision.services import audits as audits_svc
    from supervision.services import notices as notices_svc
    from tests.hardening.world import build
    from tests.notices.helpers import user

    world = build(app, runner, make_platform, make_user, tmp_path, "普通文本", report_id="A-1")
    answers_before = session.scalar(select(func.count()).select_from(NoticeAnswer))
    files_before = set(_files(app.config["UPLOAD_DIR"]))
    monkeypatch.setattr("supervision.uploads.os.fsync", _full_after(0))
    with app.app_context():
        s = db.session()
        with pytest.raises(ValidationError) as e:
            audits_svc.add_evidence(s, s.get(SampleItem, world.ids["item"]), "e.pdf", PDF, app.config["UPLOAD_DIR"],
                                    "insp")
        assert "存储空间不足" in e.value.errors["file"]
        s.rollback()
        # An issued notice whose items were sent back: the platform answers again with files.
        from supervision.models import Notice

        notice = s.get(Notice, world.ids["notice"])
        for it in notices_svc.items_of(s, notice):
            notices_svc.verify_item(s, notice, it, user(s, "insp"), "reject", "请补充证明材料。")
        s.commit()
        answers = {it.id: ("补充整改情况。", [("proof.pdf", PDF)]) for it in notices_svc.items_of(s, notice)}
        with pytest.raises(ValidationError) as e:
            notices_svc.submit_answers(s, notice, user(s, "user_a"), answers, app.config["UPLOAD_DIR"])
        assert "存储空间不足" in e.value.errors["_"]
        s.rollback()
    assert session.scalar(select(func.count()).select_from(ItemEvidence)) == 0
    assert session.scalar(select(func.count()).select_from(NoticeAnswer)) == answers_before
    assert set(_files(app.config["UPLOAD_DIR"])) == files_before
