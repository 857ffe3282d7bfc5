"""Delivery over SMTP against real aiosmtpd servers on 127.0.0.1, scripted per test.

Every test inspects what the server actually received (envelope and bytes), the outbox rows
(state, attempts, error, next attempt) and the report; time only moves with the injected clock.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ahr_tui.errors import PermissionDenied
from ahr_tui.notify.render import render
from ahr_tui.notify.smtp import (
    Outcome,
    SmtpConfigError,
    SmtpSettings,
    SmtpTransport,
    build_message,
)
from ahr_tui.rules import NotificationKind, PolicyArea, last_complete_day
from ahr_tui.service import outbox
from ahr_tui.service.cases import open_case
from ahr_tui.service.delivery import LEASE, DeliveryReport, retry_delay, send
from ahr_tui.service.sweep import sweep
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account, Notification
from tests.conftest import T0, FakeClock, full_window, seed_account

FROM = "ahr@ops.example.com"
CHINESE = "深圳市华强北电子科技有限公司"


# --- the server -----------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Server:
    """Accepts everything unless scripted: ``data_replies`` answer DATA in turn (then 250),
    ``rcpt_reply`` answers every RCPT, ``drops`` closes the connection on that many DATAs."""

    data_replies: list[str] = field(default_factory=list)
    rcpt_reply: str | None = None
    drops: int = 0
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0
    rcpt_commands: int = 0
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_commands += 1
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.drops:
            self.drops -= 1
            server.transport.close()
            return "250 2.0.0 never heard"
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 2.0.0 queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    controllers: list[Controller] = []

    def start(server: Server | None = None, **options: Any) -> Server:
        server = server or Server()
        server.port = free_port()
        controller = Controller(server, hostname="127.0.0.1", port=server.port, **options)
        controller.start()
        controllers.append(controller)
        return server

    yield start
    for controller in controllers:
        controller.stop()


# --- helpers ----------------------------------------------------------------------------------


def settings(port: int, **extra: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, from_addr=FROM, timeout=5, **extra)


def deliver(
    engine: Engine,
    clock: FakeClock,
    me: Actor,
    port: int,
    *,
    limit: int | None = None,
    **extra: Any,
) -> DeliveryReport:
    with SmtpTransport(settings(port, **extra)) as transport:
        return send(engine, transport=transport, from_addr=FROM, clock=clock, actor=me, limit=limit)


def rows(engine: Engine) -> list[Notification]:
    with transaction(engine) as session:
        return list(session.execute(select(Notification).order_by(Notification.id)).scalars())  # type: ignore[arg-type]


def queue(
    engine: Engine,
    account_id: int,
    clock: FakeClock,
    kind: NotificationKind = NotificationKind.ENROLLED,
) -> int:
    with transaction(engine, write=True) as session:
        account = session.get(Account, account_id)
        assert account is not None
        note = outbox.queue(session, kind, account=account, now=clock())
        session.flush()
        assert note.id is not None
        return note.id


def accounts(engine: Engine, n: int) -> list[int]:
    return [
        seed_account(engine, f"S{i}", email=f"seller{i}@example.com", name=f"Seller {i}")
        for i in range(n)
    ]


# --- delivery and the exact message -------------------------------------------------------------


def test_a_case_notification_arrives_exactly_as_built_with_its_chinese_name_encoded(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    seed_account(engine, "A1ZH", "US", name=CHINESE, email="zhang@example.cn")
    case = open_case(
        engine,
        seller_id="A1ZH",
        store="US",
        policy=PolicyArea.PRODUCT_SAFETY,
        at=T0,
        summary="Listing B0TEST: 儿童玩具 safety complaint",
        actor=me,
        now=T0,
    )
    clock.advance(minutes=1)

    report = deliver(engine, clock, me, server.port)

    assert (len(report.sent), len(report.deferred), len(report.failed)) == (1, 0, 0)
    [got] = server.received
    assert got.mail_from == FROM
    assert got.rcpt_tos == ["zhang@example.cn"]
    msg = got.message
    note_id = rows(engine)[0].id
    assert note_id is not None
    assert msg["Message-ID"] == f"<ahr-notification-{note_id}@ops.example.com>"
    assert msg["Date"] == "Mon, 02 Mar 2026 12:00:00 +0000"  # when it was queued
    assert msg["From"].addresses[0].addr_spec == FROM
    assert msg["To"].addresses[0].display_name == CHINESE
    assert msg["To"].addresses[0].addr_spec == "zhang@example.cn"
    assert msg["Subject"] == f"Action needed within 72 hours: case {case.id} (product safety, US)"
    assert msg["Auto-Submitted"] == "auto-generated"
    raw_headers = got.content.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # the name travels as an RFC 2047 encoded word
    assert b"=?utf-8?" in raw_headers
    assert msg.get_content() == (
        f"Hello {CHINESE},\r\n"
        "\r\n"
        f"An account health specialist has contacted you about case {case.id} on your selling "
        "account\r\n"
        "A1ZH in the United States store (policy area: product safety).\r\n"
        "\r\n"
        "Listing B0TEST: 儿童玩具 safety complaint\r\n"
        "\r\n"
        "Because you are enrolled in Account Health Assurance, your account will not be "
        "deactivated as\r\n"
        "long as you work with us within 72 hours, that is by 2026-03-05 12:00 UTC.\r\n"
        "Please reply to this message or call Account Health Support.\r\n"
    )
    # byte for byte what notify.smtp built, so a resend is recognisably the same message
    assert (
        got.content
        == build_message(
            notification_id=note_id,
            from_addr=FROM,
            to_addr="zhang@example.cn",
            to_name=CHINESE,
            subject=msg["Subject"],
            body=rows(engine)[0].body,
            created_at=T0,
        ).as_bytes()
    )

    [row] = rows(engine)
    assert (row.state, row.attempts, row.sent_at, row.last_error) == ("sent", 1, clock(), None)
    assert row.next_attempt_at is None


def test_two_runs_in_a_row_deliver_each_notification_once(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    ids = [queue(engine, acc, clock) for acc in accounts(engine, 3)]

    first = deliver(engine, clock, me, server.port)
    second = deliver(engine, clock, me, server.port)
    clock.advance(days=1)
    third = deliver(engine, clock, me, server.port)

    assert first.sent == ids
    assert second.summary() == third.summary() == "sent 0, deferred 0, failed 0, undeliverable 0"
    assert sorted(r.message["Message-ID"] for r in server.received) == sorted(
        f"<ahr-notification-{i}@ops.example.com>" for i in ids
    )
    assert [r.rcpt_tos for r in server.received] == [[f"seller{i}@example.com"] for i in range(3)]
    assert {(r.state, r.attempts) for r in rows(engine)} == {("sent", 1)}


def test_limit_attempts_at_most_n_and_leaves_the_rest_pending(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    ids = [queue(engine, acc, clock) for acc in accounts(engine, 3)]

    report = deliver(engine, clock, me, server.port, limit=2)

    assert report.sent == ids[:2]
    assert len(server.received) == 2
    assert [(r.state, r.attempts) for r in rows(engine)] == [
        ("sent", 1),
        ("sent", 1),
        ("pending", 0),
    ]


# --- temporary and permanent failures ---------------------------------------------------------


def test_a_4xx_is_retried_after_five_minutes_then_accepted(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(Server(data_replies=["451 4.3.0 Mailbox busy, try later"]))
    [acc] = accounts(engine, 1)
    note_id = queue(engine, acc, clock)

    first = deliver(engine, clock, me, server.port)
    [row] = rows(engine)
    assert first.deferred == [note_id] and not first.sent
    assert (row.state, row.attempts, row.last_error) == (
        "pending",
        1,
        "451 4.3.0 Mailbox busy, try later",
    )
    assert row.next_attempt_at == T0 + timedelta(minutes=5)

    clock.advance(minutes=4, seconds=59)
    early = deliver(engine, clock, me, server.port)
    assert early.summary() == "sent 0, deferred 0, failed 0, undeliverable 0"
    assert server.data_commands == 1

    clock.advance(seconds=1)
    later = deliver(engine, clock, me, server.port)
    assert later.sent == [note_id]
    [row] = rows(engine)
    assert (row.state, row.attempts, row.last_error, row.sent_at) == ("sent", 2, None, clock())
    assert len(server.received) == 1
    assert (
        server.received[0].message["Message-ID"] == f"<ahr-notification-{note_id}@ops.example.com>"
    )


def test_the_delay_grows_with_each_temporary_failure_up_to_a_cap(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(Server(rcpt_reply="452 4.2.2 Mailbox full"))
    [acc] = accounts(engine, 1)
    queue(engine, acc, clock)

    gaps = []
    for attempt in range(1, 8):
        deliver(engine, clock, me, server.port)
        [row] = rows(engine)
        assert (row.state, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at is not None
        gaps.append(row.next_attempt_at - clock())
        clock.set(row.next_attempt_at)

    assert gaps == [timedelta(minutes=m) for m in (5, 10, 20, 40, 80, 120, 120)]
    assert server.rcpt_commands == 7
    assert retry_delay(10_000) == timedelta(hours=2)


def test_a_5xx_fails_the_notification_for_good(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(Server(rcpt_reply="550 5.1.1 No such user here"))
    [acc] = accounts(engine, 1)
    note_id = queue(engine, acc, clock)

    report = deliver(engine, clock, me, server.port)
    clock.advance(days=2)
    again = deliver(engine, clock, me, server.port)

    assert report.failed == [note_id]
    assert again.summary() == "sent 0, deferred 0, failed 0, undeliverable 0"
    assert server.rcpt_commands == 1 and not server.received
    [row] = rows(engine)
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, "550 5.1.1 No such user here")
    assert row.next_attempt_at is None and row.sent_at is None


def test_a_5xx_after_data_is_permanent_too(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(Server(data_replies=["554 5.6.0 Message rejected"]))
    [acc] = accounts(engine, 1)
    queue(engine, acc, clock)

    deliver(engine, clock, me, server.port)

    [row] = rows(engine)
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, "554 5.6.0 Message rejected")


def test_a_dropped_connection_defers_that_message_and_the_run_reconnects_for_the_next(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(Server(drops=1))
    first_id, second_id = (queue(engine, acc, clock) for acc in accounts(engine, 2))

    report = deliver(engine, clock, me, server.port)

    assert (report.deferred, report.sent, report.unreachable) == ([first_id], [second_id], None)
    first, second = rows(engine)
    assert (first.state, first.attempts) == ("pending", 1)
    assert first.last_error is not None and first.last_error.startswith(
        f"connection to 127.0.0.1:{server.port} lost"
    )
    assert first.next_attempt_at == T0 + timedelta(minutes=5)
    assert (second.state, second.attempts) == ("sent", 1)

    clock.advance(minutes=5)
    retry = deliver(engine, clock, me, server.port)
    assert retry.sent == [first_id]
    assert sorted(r.message["Message-ID"] for r in server.received) == sorted(
        f"<ahr-notification-{i}@ops.example.com>" for i in (first_id, second_id)
    )


def test_a_refused_connection_defers_every_due_notification_with_the_reason(
    engine: Engine, clock: FakeClock, me: Actor
) -> None:
    ids = [queue(engine, acc, clock) for acc in accounts(engine, 2)]
    port = free_port()  # nobody listens here

    report = deliver(engine, clock, me, port)

    assert report.deferred == ids
    assert (
        report.unreachable
        == f"cannot connect to the SMTP server at 127.0.0.1:{port}: Connection refused"
    )
    for row in rows(engine):
        assert (row.state, row.attempts, row.last_error) == ("pending", 1, report.unreachable)
        assert row.next_attempt_at == T0 + timedelta(minutes=5)


# --- addresses and untrusted text -------------------------------------------------------------


def test_an_account_without_an_email_address_is_undeliverable_without_touching_smtp(
    engine: Engine, clock: FakeClock, me: Actor
) -> None:
    acc = seed_account(engine, "NOMAIL", email=None)
    bad = seed_account(engine, "BADMAIL", email="seller@example.com\r\nBcc: victim@example.org")
    ids = [queue(engine, acc, clock), queue(engine, bad, clock)]

    report = deliver(engine, clock, me, free_port())  # no server: must not be needed

    assert report.undeliverable == ids and report.unreachable is None
    no_address, malformed = rows(engine)
    assert (no_address.state, no_address.attempts, no_address.last_error) == (
        "undeliverable",
        0,
        "the account has no email address",
    )
    assert malformed.state == "undeliverable"
    assert malformed.last_error is not None and "is not valid" in malformed.last_error


def test_an_address_added_to_the_account_later_is_used(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    acc = seed_account(engine, "LATE", email=None)
    queue(engine, acc, clock)
    with transaction(engine, write=True) as session:
        account = session.get(Account, acc)
        assert account is not None
        account.email = "late@example.com"

    deliver(engine, clock, me, server.port)

    assert [r.rcpt_tos for r in server.received] == [["late@example.com"]]
    [row] = rows(engine)
    assert (row.state, row.to_addr) == ("sent", "late@example.com")


def test_cr_lf_in_a_seller_name_cannot_add_a_header_or_a_recipient(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    evil = "Evil Corp\r\nBcc: victim@example.org\r\nX-Injected: yes\nSubject: pwned"
    acc = seed_account(engine, "EVIL", name=evil, email="evil@example.com")
    queue(engine, acc, clock)

    deliver(engine, clock, me, server.port)

    [got] = server.received
    assert got.rcpt_tos == ["evil@example.com"]
    msg = got.message
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert msg.get_all("Subject") == ["You are enrolled in Account Health Assurance (US)"]
    assert msg["To"].addresses[0].display_name == (
        "Evil Corp Bcc: victim@example.org X-Injected: yes Subject: pwned"
    )
    header_lines = got.content.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not any(line.lower().startswith((b"bcc:", b"x-injected:")) for line in header_lines)
    assert msg.get_content().startswith(
        "Hello Evil Corp  Bcc: victim@example.org  X-Injected: yes Subject: pwned,\r\n"
    )


def test_a_sweep_notification_is_sent_with_the_body_its_template_gives_the_seller(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    seed_account(engine, "BATCH", name="Zoë $1 & Co", email="zoe@example.com",
                 enrollment="not_enrolled", scores=full_window(last_complete_day(clock())))
    sweep(engine, now=clock(), as_of=last_complete_day(clock()), actor=me)
    [row] = rows(engine)
    assert (row.kind, row.body) == ("enrolled", outbox.DEFERRED)  # rendered when delivered

    deliver(engine, clock, me, server.port)

    [got] = server.received
    expected = render(NotificationKind.ENROLLED, seller_id="BATCH", seller_name="Zoë $1 & Co",
                      store="US")
    assert got.message["Subject"] == expected.subject == row.subject
    assert got.message.get_content() == expected.body.replace("\n", "\r\n")
    assert got.message.get_content().startswith("Hello Zoë $1 & Co,\r\n")
    assert "selling account BATCH in the United States store" in got.message.get_content()


# --- crashes and concurrent runs --------------------------------------------------------------


class Crash(BaseException):
    """Stands for the process dying between the SMTP reply and the database record."""


class CrashAfterSending:
    def __init__(self, inner: SmtpTransport) -> None:
        self.inner = inner
        self.unreachable: str | None = None

    def deliver(self, message: EmailMessage, to_addr: str) -> Outcome:
        self.inner.deliver(message, to_addr)
        raise Crash


def test_a_crash_after_sending_resends_the_same_message_only_after_the_lease(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    [acc] = accounts(engine, 1)
    note_id = queue(engine, acc, clock)

    with SmtpTransport(settings(server.port)) as inner, pytest.raises(Crash):
        send(engine, transport=CrashAfterSending(inner), from_addr=FROM, clock=clock, actor=me)

    [row] = rows(engine)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "attempt 1 started at 2026-03-02T12:00:00Z; outcome not recorded yet"
    assert row.next_attempt_at == T0 + LEASE

    clock.advance(minutes=9)
    assert deliver(engine, clock, me, server.port).sent == []
    clock.advance(minutes=1)
    assert deliver(engine, clock, me, server.port).sent == [note_id]

    first, second = server.received
    assert first.content == second.content  # same Message-ID, same bytes: the receiver can dedupe
    assert first.message["Message-ID"] == f"<ahr-notification-{note_id}@ops.example.com>"
    [row] = rows(engine)
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, None)


class StartsAnotherRunMidSend:
    """While notification 1 is being sent, a second ``send`` run starts and finishes."""

    def __init__(self, inner: SmtpTransport, second_run: Callable[[], DeliveryReport]) -> None:
        self.inner = inner
        self.second_run = second_run
        self.unreachable: str | None = None
        self.nested: DeliveryReport | None = None

    def deliver(self, message: EmailMessage, to_addr: str) -> Outcome:
        if self.nested is None:
            self.nested = self.second_run()
        return self.inner.deliver(message, to_addr)


def test_a_run_started_during_another_skips_what_the_other_has_claimed(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    ids = [queue(engine, acc, clock) for acc in accounts(engine, 3)]
    with SmtpTransport(settings(server.port)) as inner:
        transport = StartsAnotherRunMidSend(inner, lambda: deliver(engine, clock, me, server.port))
        outer = send(engine, transport=transport, from_addr=FROM, clock=clock, actor=me)

    assert transport.nested is not None
    assert transport.nested.sent == ids[1:]  # the second run left the claimed one alone
    assert outer.sent == [ids[0]]  # and the first run skipped the ones the second took
    assert sorted(r.message["Message-ID"] for r in server.received) == sorted(
        f"<ahr-notification-{i}@ops.example.com>" for i in ids
    )
    assert [(r.state, r.attempts) for r in rows(engine)] == [("sent", 1)] * 3


def test_concurrent_runs_in_threads_send_every_notification_exactly_once(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve()
    ids = [queue(engine, acc, clock) for acc in accounts(engine, 12)]
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            reports.append(deliver(engine, clock, me, server.port))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors
    assert sorted(i for rep in reports for i in rep.sent) == ids
    assert sorted(r.message["Message-ID"] for r in server.received) == sorted(
        f"<ahr-notification-{i}@ops.example.com>" for i in ids
    )
    assert {(r.state, r.attempts) for r in rows(engine)} == {("sent", 1)}


# --- authentication ---------------------------------------------------------------------------


# aiosmtpd warns when AUTH is allowed in clear text; these servers exist only on 127.0.0.1.
AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def only(user: str, password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting one login."""

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        wanted = (user.encode(), password.encode())
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == wanted
        return AuthResult(success=ok, handled=False)

    return authenticator


@AUTH_WITHOUT_TLS
def test_login_with_the_right_password_delivers(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(authenticator=only("ops", "s3cret"), auth_require_tls=False, auth_required=True)
    [acc] = accounts(engine, 1)
    note_id = queue(engine, acc, clock)

    report = deliver(engine, clock, me, server.port, user="ops", password="s3cret")

    assert report.sent == [note_id] and len(server.received) == 1


@AUTH_WITHOUT_TLS
def test_a_refused_login_uses_up_no_attempt(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(authenticator=only("ops", "s3cret"), auth_require_tls=False, auth_required=True)
    [acc] = accounts(engine, 1)
    queue(engine, acc, clock)

    with pytest.raises(SmtpConfigError, match="refused the login of 'ops'"):
        deliver(engine, clock, me, server.port, user="ops", password="wrong")

    [row] = rows(engine)
    assert (row.state, row.attempts, row.last_error, row.next_attempt_at) == (
        "pending",
        0,
        None,
        T0,
    )
    assert not server.received


@AUTH_WITHOUT_TLS
def test_sending_without_login_to_a_server_that_requires_it_uses_up_no_attempt(
    engine: Engine, clock: FakeClock, me: Actor, serve: Callable[..., Server]
) -> None:
    server = serve(authenticator=only("ops", "s3cret"), auth_require_tls=False, auth_required=True)
    [acc] = accounts(engine, 1)
    queue(engine, acc, clock)

    with pytest.raises(SmtpConfigError, match="530"):
        deliver(engine, clock, me, server.port)

    [row] = rows(engine)
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, None)


def test_only_an_operator_may_send(engine: Engine, clock: FakeClock) -> None:
    [acc] = accounts(engine, 1)
    queue(engine, acc, clock)

    with pytest.raises(PermissionDenied, match="stranger is not an operator"):
        deliver(engine, clock, Actor(name="stranger"), free_port())

    [row] = rows(engine)
    assert (row.state, row.attempts) == ("pending", 0)
