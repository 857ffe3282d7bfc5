"""``ahr notify list`` and ``ahr notify send``: the outbox and its delivery over SMTP."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ahr_tui.cli.common import JsonOpt, emit_json, err, out, parse_instant, state, table
from ahr_tui.wording import count, instant

if TYPE_CHECKING:
    from ahr_tui.notify.smtp import SmtpSettings

notify_app = typer.Typer(
    no_args_is_help=True, help="The notification outbox and its delivery by email."
)

DEFAULT_FROM = "account-health@localhost"


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")


PendingOpt = Annotated[
    bool, typer.Option("--pending", help="Only notifications not yet delivered.")
]
SmtpOpt = Annotated[
    str, typer.Option("--smtp", metavar="HOST:PORT", help="The SMTP server to hand messages to.")
]
FromOpt = Annotated[
    str,
    typer.Option("--from", metavar="ADDR", help="Sender address; its domain ends Message-IDs."),
]
StarttlsOpt = Annotated[
    bool, typer.Option("--starttls", help="Upgrade to TLS with STARTTLS (certificate checked).")
]
UserOpt = Annotated[str | None, typer.Option("--user", metavar="U", help="Log in as this user.")]
PasswordEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--password-env", metavar="VAR",
        help="Environment variable holding the password (never on the command line).",
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", min=1, metavar="N", help="Attempt at most N messages this run."),
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout", min=1, metavar="SECONDS", help="Seconds to wait for the server at each step."
    ),
]
NowOpt = Annotated[
    str | None, typer.Option("--now", metavar="T", help="The run's instant (default: now).")
]
_HEADERS = (
    "ID", "SELLER", "STORE", "KIND", "TO", "STATE", "TRIES", "CREATED", "SENT / NEXT TRY",
    "LAST ERROR",
)


@notify_app.command("list")
def list_(
    ctx: typer.Context,
    pending: PendingOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show the outbox, oldest first: who, what, and how delivery went."""
    from ahr_tui.notify.states import DeliveryState
    from ahr_tui.service.database import read
    from ahr_tui.service.notifications import list_notifications

    views = read(state(ctx).engine(), list_notifications, pending_only=pending)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    if not views:
        out("no pending notifications" if pending else "no notifications")
        return
    table(
        _HEADERS,
        [
            [
                v.id, v.seller_id, v.store, v.kind,
                f"{v.operator}: {v.to or '-'}" if v.operator else v.to or "-", v.state, v.attempts,
                instant(v.created_at),
                instant(v.sent_at if v.state == DeliveryState.SENT else v.next_attempt_at),
                v.last_error or "",
            ]
            for v in views
        ],
    )


@notify_app.command("send")
def send(
    ctx: typer.Context,
    smtp: SmtpOpt,
    from_addr: FromOpt = DEFAULT_FROM,
    starttls: StarttlsOpt = False,
    user: UserOpt = None,
    password_env: PasswordEnvOpt = None,
    limit: LimitOpt = None,
    timeout: TimeoutOpt = 30.0,
    now: NowOpt = None,
) -> None:
    """Deliver due notifications: sent, deferred, failed, undeliverable.

    A deferred notification is retried later.
    A temporary failure (4xx, dropped or refused connection) is retried by a later run after a
    growing delay; a permanent one (5xx) is not. Exit 0 when every attempted message has an
    outcome; 1 when the server could not be reached (those messages are deferred) or refused
    the session (nothing is used up).
    """
    from ahr_tui.notify.smtp import SmtpTransport
    from ahr_tui.service.delivery import send as run

    settings = smtp_settings(smtp, from_addr, starttls, user, password_env, timeout)
    st = state(ctx)
    clock = st.clock if now is None else _fixed(parse_instant(now, "--now", st.clock))
    with SmtpTransport(settings) as transport:
        report = run(
            st.engine(), transport=transport, from_addr=from_addr, clock=clock,
            actor=st.actor(), limit=limit,
        )
    out(report.summary())
    if report.unreachable is not None:
        err(f"ahr: {report.unreachable}; {count(len(report.deferred), 'notification')} deferred.")
        raise typer.Exit(1)


def smtp_settings(
    smtp: str,
    from_addr: str,
    starttls: bool,
    user: str | None,
    password_env: str | None,
    timeout: float,
) -> SmtpSettings:
    """The SMTP options of ``notify send`` and ``handover --mail`` as settings.

    Bad options are usage errors (exit 2); a --password-env naming an unset variable is
    ``InvalidInput``.
    """
    from ahr_tui.errors import InvalidInput
    from ahr_tui.notify.smtp import SmtpSettings, address_problem, parse_endpoint

    if (user is None) != (password_env is None):
        raise typer.BadParameter(
            "--user and --password-env go together", param_hint="--user/--password-env"
        )
    password = None
    if password_env is not None:
        password = os.environ.get(password_env)
        if password is None:
            raise InvalidInput(
                f"the environment variable {password_env} named by --password-env is not set."
            )
    if address_problem(from_addr) is not None:
        raise typer.BadParameter(f"{from_addr!r} is not an email address", param_hint="--from")
    try:
        host, port = parse_endpoint(smtp)
    except InvalidInput:
        raise typer.BadParameter(
            f"{smtp!r} is not HOST:PORT (for example 127.0.0.1:25)", param_hint="--smtp"
        ) from None
    return SmtpSettings(
        host=host, port=port, from_addr=from_addr, starttls=starttls, user=user,
        password=password, timeout=timeout,
    )


def _fixed(at: datetime) -> Callable[[], datetime]:
    return lambda: at
