"""Fixtures: ``app``, ``client``, ``runner`` (as in Flask's tutorial), a controllable clock,
and helpers to create users and log in.

The suite runs on a SQLite file by default; set TEST_DATABASE_URL to a PostgreSQL URL to run
it there (``.ci/run`` does both). The schema is migrated once per run; each test starts from
empty tables.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import create_app
from supervision import db as dbmod
from supervision.auditlog import GENESIS

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
PASSWORD = "Passw0rd-for-tests"


class FakeClock:
    """A clock the test moves by hand (naive Beijing time, like the application's)."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        engine = dbmod.make_engine(url)
    dbmod.upgrade(engine)
    engine.dispose()
    return url


SEEDED = ("audit_head", "parameter_sets")  # tables whose migration-seeded rows stay


def _empty_tables(engine) -> None:
    tables = [t for t in reversed(dbmod.Base.metadata.sorted_tables) if t.name not in SEEDED]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(t.delete())
        conn.execute(text("UPDATE audit_head SET seq = 0, last_hash = :g WHERE id = 1"), {"g": GENESIS})
        conn.execute(text("DELETE FROM parameter_sets WHERE version > 1"))
    _empty_intake_journal(engine)


def _empty_intake_journal(engine) -> None:
    """SQLite: the complaint intake journal beside the database file starts empty too."""
    import sqlite3

    from supervision.services.complaint_intake import journal_path

    path = journal_path(engine)
    if path is not None and path.exists():
        conn = sqlite3.connect(str(path))
        try:
            conn.execute("DELETE FROM filings")
            conn.execute("DELETE FROM counters")
            conn.commit()
        finally:
            conn.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 20, 9, 30, 0))


@pytest.fixture
def app_config(database_url, clock, tmp_path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "TOTP_REQUIRED": False,
        "SCHEDULER_ENABLED": False,
        "CLOCK": clock,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    engine = app.extensions["db_engine"]
    _empty_tables(engine)
    engine.dispose()
    from supervision.services import derived

    derived._UNSTORED.clear()  # figures a busy database could not store belong to that test's data


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class FreshReadSession(Session):
    """A session for checking what requests stored: each read starts a new transaction (so it
    sees everything committed since) unless the test has pending changes of its own."""

    def _fresh(self):
        if not (self.new or self.dirty or self.deleted):
            self.rollback()

    def execute(self, *a, **kw):
        self._fresh()
        return super().execute(*a, **kw)

    def get(self, *a, **kw):
        self._fresh()
        return super().get(*a, **kw)

    def scalar(self, *a, **kw):
        self._fresh()
        return super().scalar(*a, **kw)

    def scalars(self, *a, **kw):
        self._fresh()
        return super().scalars(*a, **kw)


@pytest.fixture
def session(app):
    """A database session outside any application context (requests get their own contexts)."""
    s = FreshReadSession(bind=app.extensions["db_engine"])
    yield s
    s.close()


VALID_USCC = ("91110108551385082Q", "91440300708461136T", "91350100M000100Y43")


@pytest.fixture
def make_platform(app):
    from supervision.services.platforms import ContactInput, PlatformInput, register_platform
    from supervision.standard.uscc import check_character

    counter = {"n": 0}

    def make(code: str, name: str | None = None, is_local: bool = True):
        counter["n"] += 1
        first17 = f"9133010{counter['n']:02d}MA2CD{counter['n']:03d}"[:17].ljust(17, "1")
        with app.app_context():
            s = dbmod.session()
            p = register_platform(s, PlatformInput(
                code=code, name=name or f"测试平台{code}", uscc=first17 + check_character(first17),
                is_local=is_local, onboarded="2025-01",
                contacts=[ContactInput("联系人", "合规", "13800000000", "a@example.cn")]))
            s.commit()
            return p.id

    return make


@pytest.fixture
def make_user(app):
    from supervision.services.accounts import create_user

    def make(username: str, role: str, platform_code: str | None = None, must_change: bool = False,
             password: str = PASSWORD):
        with app.app_context():
            s = dbmod.session()
            u = create_user(s, username, role, password, username, platform_code, must_change_password=must_change)
            s.commit()
            return u.id

    return make


def login(client, username: str, password: str = PASSWORD, follow: bool = False):
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=follow)


def csrf_token_from(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)
