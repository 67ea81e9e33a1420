"""Alembic environment: runs on the connection handed over by supervision.db.upgrade()."""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

import supervision.models  # noqa: F401  (registers every table on Base.metadata)
from supervision.db import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("请设置 DATABASE_URL，或使用 flask --app app init-db")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("不支持离线迁移")
run_migrations_online()
