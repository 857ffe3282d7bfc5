"""Templates, rendering and message building: pure functions, no database, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from importlib import resources

import pytest

from ahr_tui.errors import InvalidInput
from ahr_tui.notify.render import render
from ahr_tui.notify.smtp import address_problem, build_message, message_id, parse_endpoint
from ahr_tui.rules import NotificationKind
from ahr_tui.rules.escalation import ESCALATION_KINDS
from ahr_tui.service.delivery import retry_delay

DEADLINE = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
CASE_KINDS = {
    NotificationKind.CASE_OPENED,
    NotificationKind.CONTACT_ATTEMPT,
    NotificationKind.DEADLINE_WARNING,
    NotificationKind.CASE_EXPIRED,
    NotificationKind.ACCOUNT_DEACTIVATED,
    NotificationKind.ENROLLMENT_REVOKED,
}
# A deactivation may follow a fraud finding inside the 72 hours: its deadline means nothing then.
DEADLINE_KINDS = {
    NotificationKind.CASE_OPENED,
    NotificationKind.CONTACT_ATTEMPT,
    NotificationKind.DEADLINE_WARNING,
    NotificationKind.CASE_EXPIRED,
}


def case_render(kind: NotificationKind, **kw: object) -> tuple[str, str]:
    values: dict[str, object] = {
        "seller_id": "A1B2C3",
        "seller_name": "Acme Goods",
        "store": "CA",
        "case_id": 4711,
        "policy": "food_safety",
        "summary": "Expired dates on listing B0X",
        "deadline": DEADLINE,
    }
    values.update(kw)
    rendered = render(kind, **values)  # type: ignore[arg-type]
    return rendered.subject, rendered.body


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_a_template_file_in_the_package(kind: NotificationKind) -> None:
    text = (
        resources.files("ahr_tui.notify")
        .joinpath("templates", f"{kind.value}.txt")
        .read_text("utf-8")
    )

    assert text.startswith("Subject: ")


@pytest.mark.parametrize("kind", sorted(set(NotificationKind) - ESCALATION_KINDS))
def test_every_kind_names_the_seller_and_the_store(kind: NotificationKind) -> None:
    subject, body = case_render(kind)

    assert "\n" not in subject and "$" not in subject + body
    assert "(CA)" in subject or ", CA)" in subject
    assert body.startswith("Hello Acme Goods,\n\n")
    assert "A1B2C3" in body and "Canada store" in body.replace("\n", " ")
    assert body.endswith(".\n") and "\n\n\n" not in body


@pytest.mark.parametrize("kind", sorted(ESCALATION_KINDS))
def test_escalations_to_operators_name_the_case_seller_store_and_due_moment(
    kind: NotificationKind,
) -> None:
    subject, body = case_render(kind, seller_name="Evil\r\nBcc: x@example.com")

    assert subject.startswith("[ahr] ") and "case 4711 (A1B2C3, CA)" in subject
    assert "\n" not in subject and "$" not in subject + body
    flat = body.replace("\n", " ")
    assert "Case 4711" in flat and "A1B2C3" in flat and "Canada store" in flat
    assert "2026-03-05 12:00 UTC" in body and "food safety" in body
    assert "Evil  Bcc: x@example.com" in flat  # the name stays on its line


@pytest.mark.parametrize("kind", sorted(CASE_KINDS))
def test_case_kinds_name_the_case_and_its_policy_area(kind: NotificationKind) -> None:
    subject, body = case_render(kind)

    assert "case 4711" in subject
    flat = body.replace("\n", " ")
    assert "case 4711" in flat and "(policy area: food safety)" in flat


@pytest.mark.parametrize("kind", sorted(DEADLINE_KINDS))
def test_deadline_kinds_give_the_deadline_in_utc(kind: NotificationKind) -> None:
    toronto = timezone(timedelta(hours=-5))
    _, body = case_render(kind, deadline=DEADLINE.astimezone(toronto))

    assert "2026-03-05 12:00 UTC" in body


def test_the_case_summary_is_in_the_opening_message_with_its_line_breaks_but_no_controls() -> None:
    _, body = case_render(NotificationKind.CASE_OPENED, summary="Line one\r\nLine\x1b[2J two\x00\n")

    assert "\nLine one\nLine[2J two\n\n" in body
    assert "\x1b" not in body and "\x00" not in body and "\r" not in body


def test_placeholders_in_a_name_are_inserted_literally_and_control_characters_flattened() -> None:
    _, body = case_render(NotificationKind.ENROLLED, seller_name="${seller_id} $store\r\nBcc: x")

    assert body.startswith("Hello ${seller_id} $store  Bcc: x,\n")


def test_a_message_is_the_same_bytes_every_time_it_is_built() -> None:
    args = dict(
        notification_id=42,
        from_addr="ahr@ops.example.com",
        to_addr="li@example.cn",
        to_name="李娜",
        subject="Subject ä",
        body="Hello 李娜,\n",
        created_at=DEADLINE,
    )

    first = build_message(**args).as_bytes()  # type: ignore[arg-type]

    assert first == build_message(**args).as_bytes()  # type: ignore[arg-type]
    assert first.isascii()
    parsed = message_from_bytes(first, policy=policy.default)
    assert parsed["Message-ID"] == "<ahr-notification-42@ops.example.com>"
    assert parsed["Date"] == "Thu, 05 Mar 2026 12:00:00 +0000"
    assert str(parsed["To"]) == "李娜 <li@example.cn>"
    assert parsed["Subject"] == "Subject ä"
    assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    assert parsed.get_content() == "Hello 李娜,\r\n"


def test_a_subject_with_line_breaks_stays_one_header() -> None:
    msg = build_message(
        notification_id=1,
        from_addr="a@b.example",
        to_addr="c@d.example",
        to_name="x",
        subject="Hi\r\nBcc: evil@example.org",
        body="ascii body\n",
        created_at=DEADLINE,
    )

    raw = msg.as_bytes()
    assert b"\r\nSubject: Hi Bcc: evil@example.org\r\n" in raw
    assert b"\r\nBcc:" not in raw
    assert msg["Content-Transfer-Encoding"] == "7bit"


def test_message_id_uses_the_sender_domain() -> None:
    assert message_id(7, "noreply@health.example.com") == "<ahr-notification-7@health.example.com>"


@pytest.mark.parametrize(
    ("addr", "problem"),
    [
        ("seller@example.com", None),
        ("first.last+tag@mail.example.co.uk", None),
        (None, "the account has no email address"),
        ("  ", "the account has no email address"),
        ("no-at-sign", "is not valid"),
        ("a@b.com\r\nBcc: c@d.com", "is not valid"),
        ("two@@example.com", "is not valid"),
        ("name <a@b.com>", "is not valid"),
        ("李@example.cn", "is not valid"),
        ("a@-bad-.example", "is not valid"),
    ],
)
def test_address_problem(addr: str | None, problem: str | None) -> None:
    found = address_problem(addr)

    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:25", ("127.0.0.1", 25)),
        ("mail.example.com:587", ("mail.example.com", 587)),
        ("[::1]:2525", ("::1", 2525)),
    ],
)
def test_parse_endpoint(text: str, expected: tuple[str, int]) -> None:
    assert parse_endpoint(text) == expected


@pytest.mark.parametrize("text", ["mailhost", ":25", "host:", "host:0", "host:70000", "host:2x"])
def test_parse_endpoint_refuses(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not HOST:PORT"):
        parse_endpoint(text)


def test_the_retry_delay_doubles_from_five_minutes_and_stops_at_two_hours() -> None:
    assert [retry_delay(n) for n in range(1, 8)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40, 80, 120, 120)
    ]
    assert retry_delay(10**9) == timedelta(hours=2)
