"""The migrations build exactly the schema the models describe (Alembic from the first table)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from supervision import db as dbmod
import supervision.models  # noqa: F401  (registers every table)


def test_migrated_schema_matches_the_models(app):
    with dbmod.make_engine(app.config["DATABASE_URL"]).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, dbmod.Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_the_newest_revision(app):

    head = ScriptDirectory.from_config(dbmod.alembic_config()).get_current_head()
    assert dbmod.current_revision(app.extensions["db_engine"]) == head


def test_upgrading_a_populated_sqlite_database_keeps_every_referencing_row(tmp_path):
    """SQLite alters a table by copying, dropping and renaming it; with foreign keys enforced,
    dropping ledger_submissions would fail on its reports or cascade-delete its error rows."""
    from alembic import command

    engine = dbmod.make_engine("sqlite:///" + str(tmp_path / "old.sqlite3"))
    with engine.begin() as conn:
        command.upgrade(dbmod.alembic_config(conn), "0011")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO platforms (id, code, name, uscc, is_local, onboarded, active, "
                             "created_at, updated_at) VALUES (1, 'pa', '甲平台', '91110000MA0000000X', 1, '2026-01', 1, "
                             "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        conn.exec_driver_sql("INSERT INTO ledger_submissions (id, platform_id, period, status, channel, filename, "
                             "file_sha256, file_size, archive_name, submitted_by_name, submitted_at, recorded_at, "
                             "backdated, row_count, created_count, updated_count, unchanged_count, warning_count, error_count) "
                             "VALUES (1, 1, '2026-09', 'rejected', 'web', 'a.csv', 'x', 1, 'a', '', "
                             "'2026-10-01 00:00:00', '2026-10-01 00:00:00', 0, 1, 0, 0, 0, 0, 1)")
        conn.exec_driver_sql("INSERT INTO ledger_errors (submission_id, row, \"column\", value, message) "
                             "VALUES (1, 2, '举报编号', '', '必填')")
    dbmod.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ledger_errors").scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM ledger_submissions").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again afterwards
    assert dbmod.current_revision(engine) == ScriptDirectory.from_config(dbmod.alembic_config()).get_current_head()
    engine.dispose()

