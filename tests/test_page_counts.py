"""A page's window counts (``store.page_counts``) equal the GROUP BY over its scores, whatever
day the sweep's counters hold.

The Accounts view draws a page of accounts after a day's import and before that day's sweep:
the counters then hold an earlier day. Random score histories, random writes after the counters
were brought to their day (some on days the counters hold, some after), and an evaluation day
from the counters' own to well past ``window.MAX_SLIDE``: for a random page of accounts, the
answer must be exactly the hand-written GROUP BY's, and which way it was reached must be the one
meant (the counters moved, or a count when they are too far).
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from ahr_tui.rules import DEFAULT_POLICY, Policy
from ahr_tui.store import page_counts as pages
from ahr_tui.store.engine import transaction
from ahr_tui.store.window import MAX_SLIDE
from tests.conftest import seed_account
from tests.test_window_counts import START, bring, truth, write_scores


def page(engine, ids, as_of, policy: Policy = DEFAULT_POLICY):
    with transaction(engine) as session:
        return pages.held_day(session, as_of, policy), pages.page_counts(
            session, ids, as_of, policy)


@pytest.mark.parametrize("seed", range(5))
def test_a_page_counts_like_the_group_by_from_counters_of_any_day(engine, seed):
    rnd = random.Random(seed)
    accounts = [seed_account(engine, f"S{i}", scores={
        START - timedelta(days=d): rnd.choice([100, 249, 250, 700])
        for d in range(rnd.randint(0, 190))
    }) for i in range(8)]
    bring(engine, START)
    write_scores(engine, rnd, accounts, START)  # some dirty, some after the counters' day
    for step in (0, 1, 2, 3, 7, MAX_SLIDE, MAX_SLIDE + 1, 60):
        as_of = START + timedelta(days=step)
        ids = rnd.sample(accounts, rnd.randint(1, len(accounts)))
        held, counts = page(engine, ids, as_of)
        expected = {a: c for a, c in truth(engine, as_of).items() if a in ids}
        assert counts == expected, (seed, step)
        assert held == (START if step <= MAX_SLIDE else None)


def test_a_day_on_reads_the_counters_and_the_two_days_that_moved(engine):
    """The counts after a day's import, before its sweep: the counters' day 180 days of 300,
    then the new day scored 700 and the day that left the window scored 100."""
    first = START - timedelta(days=DEFAULT_POLICY.window_days - 1)
    scores = {START - timedelta(days=d): 300 for d in range(DEFAULT_POLICY.window_days)}
    scores[first] = 100
    aid = seed_account(engine, "A1", scores=scores)
    bring(engine, START)
    assert page(engine, [aid], START) == (START, {aid: (180, 179)})
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO score (account_id, day, score) VALUES (:a, :d, 700)"),
                     {"a": aid, "d": START + timedelta(days=1)})
    assert page(engine, [aid], START + timedelta(days=1)) == (START, {aid: (180, 180)})


def test_an_account_whose_only_scores_left_the_window_is_absent(engine):
    aid = seed_account(engine, "GONE", scores={
        START - timedelta(days=DEFAULT_POLICY.window_days - 1): 500})
    bring(engine, START)
    assert page(engine, [aid], START) == (START, {aid: (1, 1)})
    assert page(engine, [aid], START + timedelta(days=1)) == (START, {})


def test_counters_of_another_policy_are_not_used(engine):
    aid = seed_account(engine, "P1", scores={START: 300})
    bring(engine, START, Policy(threshold=400))
    assert page(engine, [aid], START) == (None, {aid: (1, 1)})
