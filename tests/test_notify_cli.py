"""``ahr notify list`` and ``ahr notify send`` through the CLI, against aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import json
import ssl
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests import test_notify_smtp as smtp_tests
from tests.conftest import T0, Cli, FakeClock, seed_account
from tests.test_notify_smtp import Server, free_port, queue, rows

serve = smtp_tests.serve  # the aiosmtpd fixture, shared

JSON_KEYS = {"id", "seller_id", "store", "kind", "to", "created_at", "sent_at", "state", "attempts"}


_only = smtp_tests.only


def test_list_json_shows_the_outbox_and_send_changes_it(
    cli: Cli, engine: Engine, clock: FakeClock, serve: Callable[..., Server]
) -> None:
    server = serve()
    mailed = seed_account(engine, "S1", email="one@example.com")
    silent = seed_account(engine, "S2", store="CA", email=None)
    first, second = queue(engine, mailed, clock), queue(engine, silent, clock)

    before = cli("notify", "list", "--json")
    assert before.exit_code == 0, before.output
    listed = json.loads(before.stdout)
    assert [set(item) >= JSON_KEYS for item in listed] == [True, True]
    assert [
        (
            i["id"],
            i["seller_id"],
            i["store"],
            i["kind"],
            i["to"],
            i["state"],
            i["attempts"],
            i["sent_at"],
        )
        for i in listed
    ] == [
        (first, "S1", "US", "enrolled", "one@example.com", "pending", 0, None),
        (second, "S2", "CA", "enrolled", None, "pending", 0, None),
    ]
    assert listed[0]["created_at"] == "2026-03-02T12:00:00Z"

    clock.advance(minutes=3)
    sent = cli(
        "notify", "send", "--smtp", f"127.0.0.1:{server.port}", "--from", "ahr@ops.example.com"
    )
    assert sent.exit_code == 0, sent.output
    assert sent.stdout == "sent 1, deferred 0, failed 0, undeliverable 1\n"
    assert [r.message["Message-ID"] for r in server.received] == [
        f"<ahr-notification-{first}@ops.example.com>"
    ]

    after = json.loads(cli("notify", "list", "--json").stdout)
    assert [(i["state"], i["attempts"], i["sent_at"]) for i in after] == [
        ("sent", 1, "2026-03-02T12:03:00Z"),
        ("undeliverable", 0, None),
    ]
    assert after[1]["last_error"] == "the account has no email address"
    assert json.loads(cli("notify", "list", "--pending", "--json").stdout) == []
    assert cli("notify", "list", "--pending").stdout == "no pending notifications\n"


def test_list_table_escapes_control_characters_from_imported_addresses(
    cli: Cli, engine: Engine, clock: FakeClock
) -> None:
    acc = seed_account(engine, "S\x1b[31mX", email="x\x1b]0;owned\x07@example.com")
    queue(engine, acc, clock)

    result = cli("notify", "list")

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    header, row = result.stdout.splitlines()
    assert header.split()[:6] == ["ID", "SELLER", "STORE", "KIND", "TO", "STATE"]
    assert "S\\x1b[31mX" in row and "x\\x1b]0;owned\\x07@example.com" in row
    assert "pending" in row and "2026-03-02T12:00:00Z" in row


def test_a_refused_connection_is_one_sentence_and_exit_1_not_a_traceback(
    cli: Cli, engine: Engine, clock: FakeClock
) -> None:
    note_id = queue(engine, seed_account(engine), clock)
    port = free_port()

    result = cli("notify", "send", "--smtp", f"127.0.0.1:{port}")

    assert result.exit_code == 1
    assert result.stdout == "sent 0, deferred 1, failed 0, undeliverable 0\n"
    assert result.stderr == (
        f"ahr: cannot connect to the SMTP server at 127.0.0.1:{port}: Connection refused; "
        "1 notification deferred.\n"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [row] = rows(engine)
    assert (row.id, row.state, row.attempts) == (note_id, "pending", 1)


def test_now_option_sets_the_instant_the_retry_delay_counts_from(
    cli: Cli, engine: Engine, clock: FakeClock, serve: Callable[..., Server]
) -> None:
    server = serve(Server(data_replies=["421 4.7.0 Too busy, closing"]))
    queue(engine, seed_account(engine), clock)

    result = cli(
        "notify", "send", "--smtp", f"127.0.0.1:{server.port}", "--now", "2026-03-02T14:00:00+02:00"
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == "sent 0, deferred 1, failed 0, undeliverable 0\n"
    [row] = rows(engine)
    assert row.next_attempt_at == T0 + timedelta(minutes=5)
    assert row.last_error == "421 4.7.0 Too busy, closing"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_password_comes_from_the_named_environment_variable(
    cli: Cli,
    engine: Engine,
    clock: FakeClock,
    serve: Callable[..., Server],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = serve(authenticator=_only("ops", "s3cret"), auth_require_tls=False, auth_required=True)
    queue(engine, seed_account(engine), clock)
    monkeypatch.setenv("AHR_SMTP_PASSWORD", "s3cret")
    smtp = f"127.0.0.1:{server.port}"

    wrong_var = cli(
        "notify", "send", "--smtp", smtp, "--user", "ops", "--password-env", "NO_SUCH_VAR"
    )
    alone = cli("notify", "send", "--smtp", smtp, "--user", "ops")
    ok = cli(
        "notify", "send", "--smtp", smtp, "--user", "ops", "--password-env", "AHR_SMTP_PASSWORD"
    )

    assert wrong_var.exit_code == 1
    assert (
        wrong_var.stderr
        == "ahr: the environment variable NO_SUCH_VAR named by --password-env is not set.\n"
    )
    assert alone.exit_code == 2 and "--password-env" in alone.stderr
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == "sent 1, deferred 0, failed 0, undeliverable 0\n"
    assert len(server.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_wrong_password_is_one_sentence_and_uses_up_nothing(
    cli: Cli,
    engine: Engine,
    clock: FakeClock,
    serve: Callable[..., Server],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = serve(authenticator=_only("ops", "s3cret"), auth_require_tls=False, auth_required=True)
    queue(engine, seed_account(engine), clock)
    monkeypatch.setenv("AHR_SMTP_PASSWORD", "guess")

    result = cli(
        "notify",
        "send",
        "--smtp",
        f"127.0.0.1:{server.port}",
        "--user",
        "ops",
        "--password-env",
        "AHR_SMTP_PASSWORD",
    )

    assert result.exit_code == 1
    assert result.stderr == (
        f"ahr: the SMTP server at 127.0.0.1:{server.port} refused the login of 'ops': "
        "535 5.7.8 Authentication credentials invalid.\n"
    )
    assert "guess" not in result.output
    [row] = rows(engine)
    assert (row.state, row.attempts) == ("pending", 0)


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--smtp", "mailhost"], "--smtp"),
        (["--smtp", "mailhost:99999"], "--smtp"),
        (["--smtp", "127.0.0.1:25", "--from", "not an address"], "--from"),
        (["--smtp", "127.0.0.1:25", "--from", "a@b.com\r\nBcc: x@y.com"], "--from"),
        (["--smtp", "127.0.0.1:25", "--limit", "0"], "--limit"),
    ],
)
def test_malformed_options_are_usage_errors(cli: Cli, args: list[str], hint: str) -> None:
    result = cli("notify", "send", *args)

    assert result.exit_code == 2
    assert hint in result.stderr
    assert "Traceback" not in result.output


# --- STARTTLS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _tls_server(serve: Callable[..., Server], certificate: tuple[Path, Path]) -> Server:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return serve(tls_context=context, require_starttls=True)


def test_starttls_with_a_trusted_certificate_delivers(
    cli: Cli,
    engine: Engine,
    clock: FakeClock,
    serve: Callable[..., Server],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = _tls_server(serve, certificate)
    queue(engine, seed_account(engine), clock)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trusted like a system CA

    result = cli("notify", "send", "--smtp", f"127.0.0.1:{server.port}", "--starttls")

    assert result.exit_code == 0, result.output
    assert result.stdout == "sent 1, deferred 0, failed 0, undeliverable 0\n"
    assert len(server.received) == 1


def test_starttls_with_an_untrusted_certificate_is_refused_before_anything_is_sent(
    cli: Cli,
    engine: Engine,
    clock: FakeClock,
    serve: Callable[..., Server],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = _tls_server(serve, certificate)
    queue(engine, seed_account(engine), clock)
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")

    result = cli("notify", "send", "--smtp", f"127.0.0.1:{server.port}", "--starttls")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"ahr: STARTTLS with 127.0.0.1:{server.port} failed: ")
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert not server.received
    [row] = rows(engine)
    assert (row.state, row.attempts) == ("pending", 0)


def test_starttls_to_a_server_without_it_is_one_sentence(
    cli: Cli, engine: Engine, clock: FakeClock, serve: Callable[..., Server]
) -> None:
    server = serve()
    queue(engine, seed_account(engine), clock)

    result = cli("notify", "send", "--smtp", f"127.0.0.1:{server.port}", "--starttls")

    assert result.exit_code == 1
    assert result.stderr == (
        f"ahr: the SMTP server at 127.0.0.1:{server.port} does not offer STARTTLS; drop "
        "--starttls or use a server that does.\n"
    )
    [row] = rows(engine)
    assert (row.state, row.attempts) == ("pending", 0)
