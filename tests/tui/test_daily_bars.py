"""The metrics screen's daily bars: heights carry the counts, so NO_COLOR loses nothing."""

from __future__ import annotations

from datetime import date

from ahr_tui.tui.widgets.daily_bars import BARS, NONE, Series, bars, chart_lines, per_bar


def test_a_bar_per_day_scaled_to_the_busiest_day_with_a_dot_for_none() -> None:
    assert bars([0, 1, 2, 4, 8], 10) == NONE + "▁▂▄█"
    assert bars([3, 3], 10) == "██"


def test_a_series_with_nothing_is_all_dots_not_empty() -> None:
    assert bars([0] * 7, 10) == NONE * 7


def test_days_are_summed_when_the_window_is_wider_than_the_columns() -> None:
    assert per_bar(90, 30) == 3 and per_bar(30, 30) == 1
    assert bars([1, 1, 1, 0, 0, 3], 2) == "██"  # 3 and 3
    assert bars([2, 0, 0, 0], 2) == "█" + NONE


def test_the_smallest_nonzero_count_is_still_a_visible_bar() -> None:
    assert bars([1, 1000], 10)[0] == BARS[0]


def test_chart_lines_fit_the_width_and_show_totals_and_peaks() -> None:
    values = [i % 5 for i in range(90)]
    lines = chart_lines([Series("opened", values), Series("fraud", [0] * 90)],
                        date(2026, 1, 1), date(2026, 3, 31), 60)
    assert all(line.cell_len <= 60 for line in lines)
    assert "3 days a bar" in lines[0].plain  # 32 columns for the bars: 30 bars of 3 days
    opened = lines[1].plain.split()
    peak = max(sum(values[i:i + 3]) for i in range(0, 90, 3))
    assert opened[0] == "opened" and opened[-2:] == [str(sum(values)), str(peak)]
    assert lines[2].plain.split()[1] == NONE * 30
