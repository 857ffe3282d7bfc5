"""``ahr init`` upgrades an older database in place: columns the models added appear, rows keep."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, text
from sqlalchemy.engine import Engine

from ahr_tui.store.upgrade import missing_columns, upgrade


def _older_and_newer() -> tuple[Table, Table]:
    old = Table("widget", MetaData(), Column("id", Integer, primary_key=True))
    new = Table(
        "widget",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("label", String, nullable=True),
    )
    return old, new


def test_a_column_the_model_added_is_added_and_the_rows_keep(engine: Engine) -> None:
    old, new = _older_and_newer()
    with engine.begin() as conn:
        old.create(conn)
        conn.execute(text("INSERT INTO widget (id) VALUES (1)"))
    with engine.begin() as conn:
        assert [c.name for _, c in missing_columns(conn, [new])] == ["label"]
        assert upgrade(conn, [new]) == ["widget.label"]
    with engine.begin() as conn:
        assert {c["name"] for c in inspect(conn).get_columns("widget")} == {"id", "label"}
        assert conn.execute(text("SELECT id, label FROM widget")).all() == [(1, None)]
        assert upgrade(conn, [new]) == []  # idempotent
        new.drop(conn)


def test_the_current_schema_needs_no_upgrade(engine: Engine) -> None:
    from ahr_tui.store.schema import app_tables

    with engine.begin() as conn:
        assert missing_columns(conn, app_tables()) == []
