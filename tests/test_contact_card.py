"""The seller's phone as the operator calling them reads it (``tui.contact_text.phone_line``) and
the rules behind it: the number to dial, the zones it rings in, the time there."""

from __future__ import annotations

from datetime import UTC, datetime

from ahr_tui.rules.phones import local_time, phone_time_zones
from ahr_tui.service.contact_card import contact_card
from ahr_tui.tui.contact_text import phone_line

AT = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)


def test_a_number_rings_where_its_area_code_is() -> None:
    assert phone_time_zones("(415) 555-2671", "US") == ("America/Los_Angeles",)
    assert phone_time_zones("+49 30 1234567", "DE") == ("Europe/Berlin",)
    assert phone_time_zones("555", "US") == ()  # not a number anyone could dial
    assert phone_time_zones(None, "US") == ()


def test_the_local_time_is_said_only_when_every_zone_agrees() -> None:
    assert local_time(("America/New_York",), AT) == "Sun 23:30 America/New_York"
    assert local_time(("America/New_York", "America/Toronto"), AT) == (
        "Sun 23:30 America/New_York and 1 more")
    assert local_time(("America/New_York", "America/Los_Angeles"), AT) is None
    assert local_time((), AT) is None


def test_the_phone_line_gives_the_number_to_dial_and_the_time_there() -> None:
    card = contact_card("212 736 5000", "a@b.example", "US")
    assert phone_line(card, AT).plain == (
        "Phone  +1 212-736-5000  their time Sun 23:30 America/New_York")


def test_a_toll_free_number_does_not_guess_a_time() -> None:
    card = contact_card("800 222 3333", None, "US")
    assert phone_line(card, AT).plain == (
        "Phone  +1 800-222-3333  their time: unknown (the number spans several time zones)")


def test_no_number_to_dial_says_why() -> None:
    assert phone_line(contact_card(None, None, "US"), AT).plain == "Phone  none on file"
    invalid = phone_line(contact_card("(212) 555-0123", None, "US"), AT)
    assert invalid.plain == "Phone  (212) 555-0123  invalid: not a number a person could dial"
    hostile = phone_line(contact_card("\x1b[2J[@click=app.quit]", None, "US"), AT)
    assert "\x1b" not in hostile.plain and "[@click=app.quit]" in hostile.plain


def test_case_show_gives_the_number_to_dial_after_the_seller(cli, engine) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import seed_account

    seed_account(engine)
    case_id = cli("case", "open", "S1", "--store", "US", "--policy", "other",
                  "--at", "2026-03-02T10:00:00Z").stdout.strip()
    lines = cli("case", "show", case_id).stdout.splitlines()
    assert lines[1].split()[0] == "seller"
    # the clock stands at 2026-03-02T12:00Z: 04:00 on Monday where (415) rings
    assert lines[2] == "      phone  +1 415-555-2671, their time Mon 04:00 America/Los_Angeles"
