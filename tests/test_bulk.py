"""Acting on many cases: each its own transaction and version check; a refusal stops nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from ahr_tui.rules import PolicyArea
from ahr_tui.service import cases
from ahr_tui.service.bulk import assign_each, note_each
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import batch_engine
from tests.conftest import T0, seed_account


def _open(engine: Engine, me: Actor, n: int) -> list[int]:
    ids = []
    for i in range(n):
        seed_account(engine, f"S{i}")
        ids.append(cases.open_case(engine, seller_id=f"S{i}", store="US",
                                   policy=PolicyArea.REVIEWS, at=T0, summary="", actor=me,
                                   now=T0).id)
    return ids


def test_a_stale_version_fails_that_case_alone_with_exit_code_3(engine: Engine, me: Actor
                                                                 ) -> None:
    a, b, c = _open(engine, me, 3)
    cases.assign(engine, b, to=None, actor=me, now=T0)  # someone else: b is at version 2 now
    result = assign_each(engine, [(a, 1), (b, 1), (c, 1)], to=None, actor=me, now=T0)
    assert [o.case_id for o in result.done] == [a, c]
    (failed,) = result.failed
    assert failed.case_id == b and failed.exit_code == 3
    assert failed.sentence().startswith(f"case {b} was changed by someone else")
    assert [o.view.version for o in result.done if o.view] == [2, 2]


def test_a_version_that_never_existed_fails_that_case_alone_with_exit_code_1(
    engine: Engine, me: Actor
) -> None:
    a, b = _open(engine, me, 2)
    result = assign_each(engine, [(a, 1), (b, 5)], to=None, actor=me, now=T0)
    assert [o.case_id for o in result.done] == [a]
    (failed,) = result.failed
    assert failed.case_id == b and failed.exit_code == 1
    assert "has never been at version 5" in failed.sentence()


def test_each_case_is_committed_before_the_next_is_tried(
    engine: Engine, me: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later failure never undoes an earlier success: the first case is assigned for good."""
    a, b = _open(engine, me, 2)
    seen: list[str | None] = []
    original = cases.assign_case  # what assign_each calls

    def spy(eng: Engine, case_id: int, **kwargs: object):  # type: ignore[no-untyped-def]
        if case_id == b:  # a different connection sees the first case's commit
            with engine.connect() as conn:
                seen.append(conn.execute(text("SELECT assignee FROM aha_case WHERE id = :i"),
                                         {"i": a}).scalar())
            raise RuntimeError("the process died here")
        return original(eng, case_id, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cases, "assign_case", spy)
    with pytest.raises(RuntimeError):
        assign_each(engine, [(a, None), (b, None)], to=None, actor=me, now=T0)
    assert seen == [me.name]


def test_a_note_for_several_cases_names_the_missing_one(engine: Engine, me: Actor) -> None:
    (a,) = _open(engine, me, 1)
    result = note_each(engine, [a, 4242, a], text="called", actor=me, now=T0)
    assert [o.case_id for o in result.outcomes] == [a, 4242]  # a repeated id acts once
    assert result.failed[0].sentence() == "no case 4242."


def test_the_batch_engine_commits_without_waiting_for_the_disk_only_on_sqlite(engine: Engine,
                                                                               backend: str
                                                                               ) -> None:
    with batch_engine(engine) as batch:
        if backend == "sqlite":
            assert batch is not engine
            with batch.connect() as conn:
                assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        else:
            assert batch is engine
    if backend == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL, as before
