"""Backup and restore of the database (docs/operations.md).

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
  while the system runs; restoring copies the backup over the database file the same way.
- PostgreSQL: ``pg_dump --format=custom`` inside an exported snapshot, so that the manifest's
  figures describe exactly what the dump holds; restoring drops this database's tables and runs
  ``pg_restore --single-transaction --exit-on-error``.

Each backup gets a manifest next to it (``<file>.manifest.json``): schema revision, SHA-256 of
the file, row counts of every table and a checksum over the key tables' rows. A restore brings
the schema up to date, computes the same figures and compares them with the manifest. A restore
refuses a database that already holds data unless forced. Both are written to the audit log.
Uploaded files (UPLOAD_DIR) are not in the database: copy that directory alongside.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import date, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import MetaData, create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from supervision import auditlog, clock

MANIFEST_SUFFIX = ".manifest.json"
# Tables whose every row enters the checksum (the rest are counted): small, and what matters most.
KEY_TABLES = ("users", "platforms", "platform_contacts", "parameter_sets", "calendar_days", "calendar_years",
              "ledger_submissions", "complaints", "audits", "problems", "audit_head")
SEEDED_ROWS = {"parameter_sets": 1, "audit_head": 1}  # rows a freshly created schema already has
LOCK_TIMEOUT_SECONDS = 15  # PostgreSQL restore: how long to wait for other connections' locks


class BackupError(RuntimeError):
    """A backup or restore cannot be done; the message says why in Chinese."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def _norm(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (bytes, memoryview)):
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def fingerprint(conn: Connection) -> tuple[dict[str, int], str]:
    """Row counts of every table and a SHA-256 over the key tables' rows in key order."""
    md = MetaData()
    md.reflect(bind=conn)
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    for name in sorted(md.tables):
        if name == "alembic_version":
            continue
        table = md.tables[name]
        counts[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        if name in KEY_TABLES:
            order = list(table.primary_key.columns) or list(table.columns)
            digest.update(f"\n#{name}\n".encode())
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(json.dumps([_norm(v) for v in row], ensure_ascii=False, default=str).encode())
                digest.update(b"\n")
    return counts, digest.hexdigest()


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复。")
    return Path(database)


def _libpq(engine: Engine) -> tuple[str, dict]:
    """(connection URL without the password, environment with PGPASSWORD) for pg_dump/pg_restore."""
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"未找到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）。")
    return path


def _run(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败：{(result.stderr or result.stdout).strip()[:2000]}")
    return result


# Backup ---------------------------------------------------------------------------------------

def default_backup_path(app: Flask, now: datetime) -> Path:
    suffix = "sqlite3" if app.extensions["db_engine"].dialect.name == "sqlite" else "dump"
    return Path(app.instance_path) / "backups" / f"supervision-{now:%Y%m%d-%H%M%S}.{suffix}"


def create_backup(app: Flask, out: str | os.PathLike | None = None) -> dict:
    """Write a backup and its manifest; return the manifest."""
    engine: Engine = app.extensions["db_engine"]
    now = clock.now()
    path = Path(out) if out else default_backup_path(app, now)
    if path.exists():
        raise BackupError(f"文件已存在，不会覆盖：{path}", exit_code=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        waiting = 0
        if engine.dialect.name == "sqlite":
            source = _sqlite_file(engine)
            if not source.exists():
                raise BackupError(f"数据库文件不存在：{source}")
            # complaints journalled while the database was busy belong in the backup
            from supervision.services import complaint_intake

            waiting = complaint_intake.admit_waiting(app.extensions["db_sessionmaker"], engine, wait_ms=5000)[1]
            src = sqlite3.connect(str(source))
            dst = sqlite3.connect(str(partial))
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            finally:
                dst.close()
                src.close()
            copy = create_engine(f"sqlite:///{partial}")
            try:
                with copy.connect() as conn:
                    revision = _revision(conn)
                    counts, checksum = fingerprint(conn)
            finally:
                copy.dispose()
        else:
            url, env = _libpq(engine)
            pg_dump = _tool("pg_dump")
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                          f"--file={partial}", f"--dbname={url}"], env)
                    revision = _revision(conn)
                    counts, checksum = fingerprint(conn)
        os.chmod(partial, 0o600)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {"format": 1, "created_at": now.isoformat(sep=" "), "dialect": engine.dialect.name,
                "revision": revision, "file": str(path), "size": path.stat().st_size, "sha256": _sha256_file(path),
                "tables": counts, "key_tables": list(KEY_TABLES), "checksum": checksum,
                "complaints_not_yet_entered": waiting,
                "manifest": str(path) + MANIFEST_SUFFIX}
    Path(manifest["manifest"]).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    with app.extensions["db_sessionmaker"]() as s:
        auditlog.record(s, "backup.create", "database", engine.dialect.name, None,
                        {"file": path.name, "sha256": manifest["sha256"], "size": manifest["size"],
                         "revision": revision, "rows": sum(counts.values())})
        s.commit()
    return manifest


# Restore --------------------------------------------------------------------------------------

def is_empty(engine: Engine) -> bool:
    """No rows beyond what creating the schema puts there (no tables at all counts as empty)."""
    names = inspect(engine).get_table_names()
    with engine.connect() as conn:
        for name in names:
            if name == "alembic_version":
                continue
            n = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            if n > SEEDED_ROWS.get(name, 0):
                return False
        if "audit_head" in names and conn.execute(text("SELECT max(seq) FROM audit_head")).scalar():
            return False
        if "parameter_sets" in names and conn.execute(text("SELECT max(version) FROM parameter_sets")).scalar() not in (None, 1):
            return False
    return True


def _known_revision(revision: str | None) -> bool:
    from alembic.script import ScriptDirectory

    from supervision import db

    if revision is None:
        return False
    try:
        return ScriptDirectory.from_config(db.alembic_config()).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises for unknown revisions
        return False


def read_manifest(path: Path) -> dict | None:
    mpath = Path(str(path) + MANIFEST_SUFFIX)
    if not mpath.is_file():
        return None
    try:
        return json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check_sqlite_backup(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise BackupError(f"无法打开备份文件：{e}", exit_code=2) from e
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"备份文件已损坏：{ok}", exit_code=2)
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise BackupError(f"不是本系统的 SQLite 备份文件：{e}", exit_code=2) from e
    finally:
        conn.close()


def restore_backup(app: Flask, file: str | os.PathLike, *, force: bool = False) -> dict:
    """Restore ``file`` into the application's database; return counts, checksum and whether
    they match the backup's manifest."""
    from supervision import db

    path = Path(file)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}", exit_code=2)
    engine: Engine = app.extensions["db_engine"]
    manifest = read_manifest(path)
    if manifest is not None and manifest.get("sha256") != _sha256_file(path):
        raise BackupError("备份文件与其清单中的 SHA-256 不符，文件可能已损坏或被改动。", exit_code=2)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        revision = _check_sqlite_backup(path)
    else:
        pg_restore = _tool("pg_restore")
        url, env = _libpq(engine)
        listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise BackupError(f"不是 pg_dump 自定义格式的备份文件：{listing.stderr.strip()[:500]}", exit_code=2)
        revision = manifest.get("revision") if manifest else None
    if manifest is not None and manifest.get("dialect") != engine.dialect.name:
        raise BackupError(f"备份来自 {manifest.get('dialect')} 数据库，不能恢复到 {engine.dialect.name}。", exit_code=2)
    if revision is not None and not _known_revision(revision):
        raise BackupError(f"备份的数据库版本 {revision} 比本系统更新，请先升级系统再恢复。", exit_code=2)
    if not force and not is_empty(engine):
        raise BackupError("目标数据库已有数据，未做任何更改。确需用备份覆盖时请加 --force（先备份当前数据库）。")
    engine.dispose()
    if sqlite:
        target = _sqlite_file(engine)
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(str(target), timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        try:
            with engine.begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'"))
                for name in inspect(conn).get_table_names():
                    conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        except OperationalError as e:
            raise BackupError("数据库仍被其他连接使用（Web 服务或调度进程？），未做任何更改。请先停止它们再恢复。") from e
        # Restore every entry but the public schema itself, which the database already has.
        entries = [line for line in listing.stdout.splitlines() if " SCHEMA - public " not in line]
        list_file = path.with_name(path.name + ".restore-list")
        try:
            list_file.write_text("\n".join(entries) + "\n")
            _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--use-list={list_file}", f"--dbname={url}", str(path)], env)
        finally:
            list_file.unlink(missing_ok=True)
    with engine.connect() as conn:
        restored_revision = _revision(conn)
        counts, checksum = fingerprint(conn)
    matches, differences = None, []
    if manifest is not None:
        if manifest.get("checksum") != checksum:
            differences.append("关键表校验值不同")
        for name, n in manifest.get("tables", {}).items():
            if counts.get(name) != n:
                differences.append(f"{name} 表 {counts.get(name)} 行，备份时 {n} 行")
        matches = not differences
    db.upgrade(engine)  # a backup of an older version is brought to the current schema
    with engine.connect() as conn:
        current = _revision(conn)
    with app.extensions["db_sessionmaker"]() as s:
        auditlog.record(s, "backup.restore", "database", engine.dialect.name, None,
                        {"file": path.name, "sha256": manifest.get("sha256") if manifest else _sha256_file(path),
                         "revision": restored_revision, "upgraded_to": current, "rows": sum(counts.values()),
                         "forced": force, "matches_manifest": matches})
        s.commit()
    return {"revision": current, "restored_revision": restored_revision, "tables": counts, "checksum": checksum,
            "matches": matches, "differences": differences}
