"""The migrations build exactly the schema the models describe (Alembic from the first table)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from supervision import db as dbmod
import supervision.models  # noqa: F401  (registers every table)


def test_migrated_schema_matches_the_models(app):
    with dbmod.make_engine(app.config["DATABASE_URL"]).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, dbmod.Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_the_newest_revision(app):
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(dbmod.alembic_config()).get_current_head()
    assert dbmod.current_revision(app.extensions["db_engine"]) == head
