"""The migrations build exactly the schema the models describe (no drift either way)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.persistence.database import create_db_engine
from engine.persistence.tables import Base


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    db = create_db_engine(db_url)
    try:
        with db.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            drift = compare_metadata(context, Base.metadata)
    finally:
        db.dispose()
    assert drift == []
