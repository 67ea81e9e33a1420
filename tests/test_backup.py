"""Backup and restore: ``flask backup`` then ``flask restore`` into an empty database gives the
same data (every row of every table compared, and the manifest's counts and checksum), on the
database the suite runs on (SQLite, or PostgreSQL with TEST_DATABASE_URL); a database with data
is only replaced with --force; a file that is not a backup is refused; both are audit-logged."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app import create_app
from supervision import db as dbmod
from supervision.models import AuditEvent
from tests.complaint_helpers import file_one, to_answered
from tests.conftest import login
from tests.ledger_samples import ledger_frame
from tests.test_checks import _import


@pytest.fixture
def data(app, runner, make_platform, make_user, tmp_path, client):
    """Platforms, users, an accepted ledger with its findings, a complaint, a job run and a notification."""
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    _import(runner, tmp_path, ledger_frame(40, "2026-10", seed=5), "2026-10", platform="pa")
    make_user("admin", "admin")
    make_user("user_a", "platform", "pa")
    with app.app_context():
        s = dbmod.session()
        to_answered(s, app, file_one(s, app, name="王五", contact="wang@example.cn").complaint)
        s.commit()
    login(client, "admin")
    assert client.post("/admin/jobs/pii_erasure/run").status_code == 302


@pytest.fixture
def target(app_config, tmp_path, database_url):
    """An empty database of the same kind as the suite's, and an application on it."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        name = f"{url.database}_restore"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        admin, target_url = None, f"sqlite:///{tmp_path / 'restored' / 'supervision.sqlite3'}"
    app = create_app({**app_config, "DATABASE_URL": target_url})
    yield app
    app.extensions["db_engine"].dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}_restore" WITH (FORCE)'))
        admin.dispose()


def rows(engine) -> dict[str, list]:
    """Every row of every table of the models, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in dbmod.Base.metadata.sorted_tables:
            out[table.name] = list(conn.execute(select(table).order_by(*table.primary_key.columns)))
    return out


def test_backup_then_restore_into_an_empty_database_gives_the_same_data(app, data, runner, target, tmp_path):
    out = tmp_path / "backups" / "nightly.bak"
    r = runner.invoke(args=["backup", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"备份已写入 {out}" in r.output and "关键表校验值" in r.output
    manifest = json.loads(Path(str(out) + ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["reports"] == 40 and manifest["tables"]["complaints"] == 1
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    source = rows(app.extensions["db_engine"])
    assert source["audit_events"][-1].action == "backup.create"  # recorded after the copy was taken

    r = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert r.exit_code == 0, r.output
    assert "与备份清单一致" in r.output
    restored = rows(target.extensions["db_engine"])
    for name, source_rows in source.items():
        if name in ("audit_events", "audit_head"):
            continue
        assert restored[name] == source_rows, name
    # The audit log: the same records, each side with one more of its own (backup / restore).
    assert restored["audit_events"][:-1] == source["audit_events"][:-1]
    assert restored["audit_events"][-1].action == "backup.restore"
    assert target.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    with target.app_context():
        assert dbmod.current_revision() == manifest["revision"]


def test_restore_refuses_a_database_that_holds_data_unless_forced(app, data, runner, tmp_path, session):
    out = tmp_path / "b.bak"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 1  # never overwrites a backup
    r = runner.invoke(args=["restore", str(out)])
    assert r.exit_code == 1 and "目标数据库已有数据" in r.output and "--force" in r.output
    before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    session.rollback()  # a restore replaces the tables: no other transaction may stay open on them
    r = runner.invoke(args=["restore", str(out), "--force"])
    assert r.exit_code == 0, r.output
    ev = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert ev.action == "backup.restore" and json.loads(ev.after)["forced"] is True
    assert ev.seq == before  # the backup.create record taken after the copy is gone; the restore takes its place


def test_restore_refuses_what_is_not_a_backup(app, runner, tmp_path, target):
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a database at all" * 100)
    r = target.test_cli_runner().invoke(args=["restore", str(junk)])
    assert r.exit_code == 2 and "错误" in r.output
    assert target.test_cli_runner().invoke(args=["restore", str(tmp_path / "missing.bak")]).exit_code == 2


def test_a_tampered_backup_is_refused(app, data, runner, tmp_path, target):
    out = tmp_path / "b.bak"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    with out.open("r+b") as f:
        f.seek(200)
        f.write(b"\x00\x01\x02")
    r = target.test_cli_runner().invoke(args=["restore", str(out)])
    assert r.exit_code == 2 and "SHA-256" in r.output
