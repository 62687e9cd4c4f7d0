"""The score trend read model: kept by each score, backfilled by its migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from engine import Engine
from engine.persistence import migrate
from engine.persistence.database import create_db_engine
from engine.persistence.tables import CareCase, CaseScoreTrend
from engine.services.score_trends import note_score

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _case(engine: Engine, case_id: int) -> None:
    with engine.context.uow() as uow:
        uow.session.add(
            CareCase(
                id=case_id,
                client_name=f"client {case_id}",
                status="active",
                phase="monitoring",
                opened_by="ines",
                opened_at=T0,
                updated_at=T0,
            )
        )
        uow.commit()


def _trend(engine: Engine, case_id: int, instrument: str) -> tuple[int, int, int, datetime]:
    with engine.context.uow() as uow:
        row = uow.session.get(CaseScoreTrend, (case_id, instrument))
        assert row is not None
        return row.administrations, row.baseline_total, row.latest_total, row.latest_at


def test_baseline_is_the_earliest_and_latest_the_newest_whatever_the_order(
    engine: Engine,
) -> None:
    _case(engine, 1)
    with engine.context.uow() as uow:
        for days, total in ((10, 12), (0, 20), (30, 7), (20, None)):
            note_score(uow.session, 1, "phq9", total, T0 + timedelta(days=days))
        uow.commit()
    assert _trend(engine, 1, "phq9") == (3, 20, 7, T0 + timedelta(days=30))


def test_the_migration_backfills_trends_from_existing_scores(engine: Engine) -> None:
    _case(engine, 1)
    _case(engine, 2)
    db = create_db_engine(str(engine.db.url.render_as_string(hide_password=False)))
    try:
        migrate.downgrade(db, "0006")
        rows = [
            (1, "phq9", 18, T0),
            (1, "phq9", 11, T0 + timedelta(days=40)),
            (1, "phq9", None, T0 + timedelta(days=50)),
            (1, "gad7", 9, T0),
            (2, "phq9", 6, T0 + timedelta(days=5)),
        ]
        with db.begin() as connection:
            for case_id, instrument, total, at in rows:
                connection.execute(
                    text(
                        "INSERT INTO case_score (case_id, instrument, total, detail, recorded_at)"
                        " VALUES (:c, :i, :t, '{}', :at)"
                    ),
                    {"c": case_id, "i": instrument, "t": total, "at": at},
                )
        migrate.upgrade(db)
    finally:
        db.dispose()
    assert _trend(engine, 1, "phq9") == (2, 18, 11, T0 + timedelta(days=40))
    assert _trend(engine, 1, "gad7") == (1, 9, 9, T0)
    assert _trend(engine, 2, "phq9") == (1, 6, 6, T0 + timedelta(days=5))
    with engine.context.uow() as uow:
        assert len(list(uow.session.scalars(select(CaseScoreTrend)))) == 3
