"""Which days fail the AHR criterion (``Eligibility.shortfall``): told in truth, answers unchanged.

A newcomer's trial found a brand-new seller shown ineligible for ``too_many_days_below``: true by
the rule's count (days with no score count against the seller) but read as "scored under 250".
The shortfall names the days that make the count; ``ahr_ok``, ``eligible`` and ``reasons`` are
the rule's, as before (tests/test_rules_eligibility.py is the oracle).
"""

from __future__ import annotations

from datetime import date

import pytest

from ahr_tui.rules import AhrShortfall, Reason, ScoreWindow, evaluate
from tests.test_rules_eligibility import AS_OF, GOOD


@pytest.mark.parametrize(("scored_below", "missing", "shortfall"), [
    (0, 0, None), (10, 0, None), (4, 6, None),
    (11, 0, AhrShortfall.DAYS_BELOW), (11, 169, AhrShortfall.DAYS_BELOW),
    (0, 160, AhrShortfall.DAYS_MISSING), (6, 6, AhrShortfall.DAYS_MISSING),
    (0, 180, AhrShortfall.DAYS_MISSING),
])
def test_the_shortfall_names_the_days_that_fail_the_criterion_and_changes_no_answer(
    scored_below: int, missing: int, shortfall: AhrShortfall | None
) -> None:
    window = ScoreWindow(days_below=scored_below + missing, days_missing=missing)
    result = evaluate(GOOD, window, AS_OF)
    assert result.ahr_ok is (scored_below + missing <= 10)  # the rule's answer, as before
    assert (Reason.TOO_MANY_DAYS_BELOW in result.reasons) is (not result.ahr_ok)
    assert result.shortfall is shortfall
    words = result.reason_words
    assert words == ((shortfall.value,) if shortfall else ())


def test_the_sentence_puts_the_days_with_no_score_first_for_a_new_seller() -> None:
    result = evaluate(GOOD, ScoreWindow(days_below=160, days_missing=160), AS_OF)
    assert result.ahr_sentence() == (
        "160 days with no score (not enough history, or scores missing) + 0 scored under 250 "
        "= 160 of at most 10 allowed")
    assert result.ahr_sentence(date(2026, 2, 10)).startswith(
        "not enough history (scored since 2026-02-10): 160 days with no score + 0")
    scored = evaluate(GOOD, ScoreWindow(days_below=12, days_missing=1), AS_OF)
    assert scored.ahr_sentence() == (
        "11 days scored under 250 + 1 with no score = 12 of at most 10 allowed")
