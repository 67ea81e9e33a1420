import sqlite3

import pytest

from app import create_app
from supervision import config, db


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load(str(tmp_path), {"APP_ENV": "production"})
    assert not (tmp_path / "dev-secret-key").exists()


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(config.ConfigError, match="过短"):
        config.load(str(tmp_path), {"APP_ENV": "production", "SECRET_KEY": "short"})


def test_create_app_exits_with_chinese_message_when_secret_missing(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(SystemExit, match="配置错误：未设置 SECRET_KEY"):
        create_app()


def test_development_keeps_one_generated_key(tmp_path):
    a = config.load(str(tmp_path), {"APP_ENV": "development"})
    b = config.load(str(tmp_path), {"APP_ENV": "development"})
    assert a["SECRET_KEY"] == b["SECRET_KEY"] and len(a["SECRET_KEY"]) == 64


def test_defaults_and_environment(tmp_path):
    c = config.load(str(tmp_path), {"APP_ENV": "production", "SECRET_KEY": "k" * 40})
    assert c["DATABASE_URL"] == "sqlite:///" + str(tmp_path / "supervision.sqlite3")
    assert c["UPLOAD_DIR"] == str(tmp_path / "uploads")
    assert c["TOTP_REQUIRED"] is True and c["SCHEDULER_ENABLED"] is False
    assert c["SESSION_COOKIE_SECURE"] is True and c["SESSION_COOKIE_HTTPONLY"] is True
    c = config.load(str(tmp_path), {"APP_ENV": "development", "DATABASE_URL": "postgresql+psycopg://x/y",
                                    "UPLOAD_DIR": "/srv/up", "SCHEDULER_ENABLED": "0", "TOTP_REQUIRED": "1"})
    assert c["DATABASE_URL"] == "postgresql+psycopg://x/y" and c["UPLOAD_DIR"] == "/srv/up"
    assert c["SCHEDULER_ENABLED"] is False and c["TOTP_REQUIRED"] is True


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = db.make_engine("sqlite:///" + str(tmp_path / "x.sqlite3"))
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == db.SQLITE_BUSY_TIMEOUT_MS
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    engine.dispose()
    assert isinstance(sqlite3.connect(tmp_path / "x.sqlite3"), sqlite3.Connection)


def test_constraint_names_follow_the_convention(app):
    from sqlalchemy import inspect

    with app.app_context():
        insp = inspect(db.engine())
        fks = insp.get_foreign_keys("users")
        assert any(fk["name"] == "fk_users_platform_id_platforms" for fk in fks)
        assert insp.get_pk_constraint("platforms")["name"] in ("pk_platforms", None)  # SQLite forgets pk names
        uniques = {u["name"] for u in insp.get_unique_constraints("platforms")}
        assert "uq_platforms_uscc" in uniques


def test_trusted_proxies_setting_is_checked(tmp_path):
    base = {"APP_ENV": "production", "SECRET_KEY": "k" * 40}
    assert config.load(str(tmp_path), base)["TRUSTED_PROXIES"] == 0
    assert config.load(str(tmp_path), {**base, "TRUSTED_PROXIES": "1"})["TRUSTED_PROXIES"] == 1
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        config.load(str(tmp_path), {**base, "TRUSTED_PROXIES": "many"})


def test_the_child_import_priority_setting_is_checked(tmp_path):
    base = {"APP_ENV": "production", "SECRET_KEY": "k" * 40}
    assert config.load(str(tmp_path), base)["LEDGER_CHILD_NICE"] == 10
    assert config.load(str(tmp_path), {**base, "LEDGER_CHILD_NICE": "0"})["LEDGER_CHILD_NICE"] == 0
    for bad in ("-5", "20", "low"):
        with pytest.raises(config.ConfigError, match="LEDGER_CHILD_NICE"):
            config.load(str(tmp_path), {**base, "LEDGER_CHILD_NICE": bad})


def _login_attempt_address(app, forwarded_for: str) -> str:
    """The source address the audit log records for a failed log-in sent through a proxy."""
    from sqlalchemy import select

    from supervision.models import AuditEvent

    client = app.test_client()
    client.post("/login", data={"username": "nobody", "password": "wrong-password-1"},
                headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    with app.app_context():
        ev = db.session().scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
        assert ev is not None and ev.action == "login.failed"
        return ev.ip


def test_behind_a_trusted_proxy_the_client_address_is_recorded(app_config):
    app = create_app({**app_config, "TRUSTED_PROXIES": 1})
    try:
        assert _login_attempt_address(app, "203.0.113.7") == "203.0.113.7"
        # Only the hop the proxy added counts: an address the client forged in front is ignored.
        assert _login_attempt_address(app, "198.51.100.1, 203.0.113.8") == "203.0.113.8"
    finally:
        app.extensions["db_engine"].dispose()


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(app):
    assert _login_attempt_address(app, "203.0.113.7") == "10.0.0.9"
