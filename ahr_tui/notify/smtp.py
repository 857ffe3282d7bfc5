"""SMTP delivery of rendered notifications, with the standard library's smtplib and email.

``service.delivery`` owns the outbox rows and decides what an outcome means for them; this module
knows nothing of the database. It builds one message per notification and says what the server
made of it: delivered, a temporary failure (4xx, a dropped or refused connection) or a permanent
one (5xx).

A message is a pure function of the notification (id, created_at, address, seller name, subject,
body) and the sender address: a resend after a crash is the same message with the same
``Message-ID: <ahr-notification-{id}@{sender domain}>``, so the receiver can recognise it.
Untrusted text (seller names, summaries) goes through ``email.headerregistry`` and
``email.policy.SMTP``: CR/LF and other control characters are replaced before they reach a
header, and non-ASCII names become RFC 2047 encoded words.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from types import TracebackType

from ahr_tui.errors import AhrError, InvalidInput
from ahr_tui.rules.addresses import is_address

#: smtplib's default waits forever; one stuck server must not hang a cron job.
DEFAULT_TIMEOUT = 30.0

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Replies that mean "this session is not allowed to send", not "this message is bad".
_SESSION_CODES = {530, 534, 535, 538}


class SmtpConfigError(AhrError):
    """The settings cannot work (authentication refused, STARTTLS unavailable or untrusted)."""


class Verdict(StrEnum):
    DELIVERED = "delivered"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    error: str | None = None


DELIVERED = Outcome(Verdict.DELIVERED)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    from_addr: str
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    #: None: the system's trusted certificates (``ssl.create_default_context``).
    ssl_context: ssl.SSLContext | None = None


def parse_endpoint(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:25`` for IPv6) as a host and a port number."""
    host, sep, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInput(f"--smtp {text!r} is not HOST:PORT (for example 127.0.0.1:25).")
    return host, int(port)


def address_problem(addr: str | None) -> str | None:
    """Why ``addr`` cannot be used as a recipient or sender, or None when it can."""
    if not addr or not addr.strip():
        return "the account has no email address"
    if not is_address(addr):
        return f"the email address {addr!r} is not valid"
    return None


def message_id(notification_id: int, from_addr: str) -> str:
    domain = from_addr.rpartition("@")[2] or "localhost"
    return f"<ahr-notification-{notification_id}@{domain}>"


def one_line(text: str) -> str:
    """A header value: control characters (CR and LF included) become spaces."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def build_message(
    *,
    notification_id: int,
    from_addr: str,
    to_addr: str,
    to_name: str,
    subject: str,
    body: str,
    created_at: datetime,
) -> EmailMessage:
    """The message for one notification; the same inputs always give the same bytes.

    ``Date`` is when the notification was queued (the moment its content was true), not when a
    retry happened to deliver it.
    """
    msg = EmailMessage(policy=policy.SMTP)
    msg["Message-ID"] = message_id(notification_id, from_addr)
    msg["Date"] = format_datetime(created_at.astimezone(UTC))
    msg["From"] = Address(display_name="Account Health", addr_spec=from_addr)
    msg["To"] = Address(display_name=one_line(to_name), addr_spec=to_addr)
    msg["Subject"] = one_line(subject)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    text = _BODY_CONTROLS.sub("", body)
    # Quoted-printable keeps non-ASCII bodies 7-bit clean for servers without 8BITMIME.
    msg.set_content(text, cte="7bit" if text.isascii() else "quoted-printable")
    return msg


def _reply(code: int, resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return one_line(f"{code} {text}")


def _by_code(code: int, resp: bytes | str) -> Outcome:
    if code in _SESSION_CODES:
        raise SmtpConfigError(
            f"the SMTP server refused to let this session send ({_reply(code, resp)}); "
            "check --user and --password-env."
        )
    verdict = Verdict.PERMANENT if 500 <= code < 600 else Verdict.TEMPORARY
    return Outcome(verdict, _reply(code, resp))


def _os_error(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return one_line(exc.strerror)
    return one_line(str(exc) or type(exc).__name__)


class SmtpTransport:
    """One connection for a run, opened on the first message and reopened once after a drop.

    When a connection cannot be opened, ``unreachable`` says why and every later message of the
    run is a temporary failure with that reason, without trying again (a refused port answers at
    once, a black-holed one would cost a timeout per message).
    """

    def __init__(
        self, settings: SmtpSettings, *, smtp_factory: Callable[..., smtplib.SMTP] = smtplib.SMTP
    ) -> None:
        self.settings = settings
        self.unreachable: str | None = None
        self._factory = smtp_factory
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def deliver(self, message: EmailMessage, to_addr: str) -> Outcome:
        """Send one message; raises ``SmtpConfigError`` when no message could ever go through."""
        smtp = self._connection()
        if smtp is None:
            assert self.unreachable is not None
            return Outcome(Verdict.TEMPORARY, self.unreachable)
        try:
            smtp.send_message(message, from_addr=self.settings.from_addr, to_addrs=[to_addr])
        except smtplib.SMTPRecipientsRefused as exc:
            code, resp = next(iter(exc.recipients.values()))
            return self._after_reply(code, resp)
        except smtplib.SMTPResponseException as exc:
            return self._after_reply(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            return Outcome(Verdict.TEMPORARY, f"connection to {self.where} lost: {_os_error(exc)}")
        except smtplib.SMTPException as exc:  # a reply smtplib could not make sense of
            self._drop()
            return Outcome(Verdict.TEMPORARY, f"SMTP error from {self.where}: {_os_error(exc)}")
        return DELIVERED

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None

    def _after_reply(self, code: int, resp: bytes | str) -> Outcome:
        if code == 421 or getattr(self._smtp, "sock", None) is None:
            self._drop()  # 421: the server is closing the connection
        return _by_code(code, resp)

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    def _connection(self) -> smtplib.SMTP | None:
        if self._smtp is None and self.unreachable is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP | None:
        s = self.settings
        try:
            smtp = self._factory(
                s.host, s.port, local_hostname=socket.gethostname(), timeout=s.timeout
            )
        except smtplib.SMTPConnectError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            self.unreachable = f"the SMTP server at {self.where} refused service: {reply}"
            return None
        except (smtplib.SMTPException, OSError) as exc:
            reason = _os_error(exc)
            self.unreachable = f"cannot connect to the SMTP server at {self.where}: {reason}"
            return None
        try:
            self._start_session(smtp)
        except SmtpConfigError:
            smtp.close()
            raise
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            reason = _os_error(exc)
            self.unreachable = f"the SMTP session with {self.where} could not start: {reason}"
            return None
        return smtp

    def _start_session(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        smtp.ehlo_or_helo_if_needed()
        if s.starttls:
            try:
                smtp.starttls(context=s.ssl_context or ssl.create_default_context())
            except smtplib.SMTPNotSupportedError:
                raise SmtpConfigError(
                    f"the SMTP server at {self.where} does not offer STARTTLS; drop --starttls "
                    "or use a server that does."
                ) from None
            except ssl.SSLError as exc:
                raise SmtpConfigError(
                    f"STARTTLS with {self.where} failed: {one_line(exc.reason or str(exc))}."
                ) from None
            except smtplib.SMTPResponseException as exc:
                raise SmtpConfigError(
                    f"the SMTP server at {self.where} refused STARTTLS: "
                    f"{_reply(exc.smtp_code, exc.smtp_error)}."
                ) from None
            smtp.ehlo()
        if s.user is not None:
            try:
                smtp.login(s.user, s.password or "")
            except smtplib.SMTPAuthenticationError as exc:
                raise SmtpConfigError(
                    f"the SMTP server at {self.where} refused the login of {one_line(s.user)!r}: "
                    f"{_reply(exc.smtp_code, exc.smtp_error)}."
                ) from None
            except smtplib.SMTPNotSupportedError:
                raise SmtpConfigError(
                    f"the SMTP server at {self.where} does not offer AUTH (add --starttls if it "
                    "offers AUTH only over TLS)."
                ) from None
            except smtplib.SMTPException as exc:
                if isinstance(exc, smtplib.SMTPServerDisconnected):
                    raise
                raise SmtpConfigError(
                    f"cannot log in to the SMTP server at {self.where}: {one_line(str(exc))}."
                ) from None
