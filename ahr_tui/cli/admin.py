"""``ahr init``, ``sweep``, ``eligibility``, ``store ...`` and ``operator ...``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ahr_tui.cli.common import (
    JsonOpt,
    emit_json,
    err,
    known_store,
    out,
    parse_day,
    parse_instant,
    state,
    table,
)
from ahr_tui.rules.roles import Role
from ahr_tui.wording import NO_ACCOUNTS_YET, count

if TYPE_CHECKING:
    from ahr_tui.service.sweep import AccountEligibility

store_app = typer.Typer(no_args_is_help=True, help="Stores and whether the program runs in them.")
operator_app = typer.Typer(no_args_is_help=True, help="Who may act, and with which role.")


StoreCodeArg = Annotated[str, typer.Argument(help="Store code, e.g. MX (`ahr store list`).")]


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("sweep")(sweep)
    app.command("eligibility")(eligibility)
    app.add_typer(store_app, name="store")
    app.add_typer(operator_app, name="operator")


def init(ctx: typer.Context) -> None:
    """Create or upgrade the schema (idempotent). On a new database you become its first lead."""
    from ahr_tui.service.admin import filter_index_missing, init_database
    from ahr_tui.service.database import database_name, read
    from ahr_tui.service.views import has_accounts

    st = state(ctx)
    engine = st.engine(create=True)
    upgraded: list[tuple[int, int]] = []

    def upgrading(old: int, new: int) -> None:
        upgraded.append((old, new))
        if old < 4:
            slow = " (minutes for millions of scores: schema 4 stores them day first)"
        elif old < 6 and engine.dialect.name == "postgresql":
            slow = (" (about 2 minutes a million accounts: schema 6 writes each account's "
                    "search text and indexes it)")
        else:  # a moment
            slow = ""
        err(f"upgrading {database_name(engine)} from schema {old} to {new}{slow}...")

    created = init_database(engine, actor=st.actor(), now=st.clock(), upgrading=upgrading)
    if upgraded:
        old, new = upgraded[0]
        out(f"upgraded: {database_name(engine)} (schema {old} -> {new})")
    else:
        out(f"{'created' if created else 'up to date'}: {database_name(engine)}")
    if read(engine, filter_index_missing):
        err("note: the Accounts filter has no trigram index, because the pg_trgm extension "
            "could not be created; a database owner can run `CREATE EXTENSION pg_trgm`, then "
            "`ahr init` again. Until then the filter reads the list in order: slower on a "
            "large database.")
    if not read(engine, has_accounts):
        out(NO_ACCOUNTS_YET)


def sweep(
    ctx: typer.Context,
    now: Annotated[
        str | None, typer.Option("--now", help="The sweep's instant (default: now).")
    ] = None,
    allow_missing_scores: Annotated[
        bool,
        typer.Option(
            "--allow-missing-scores",
            help="Move enrolments even when no account has a score for the day evaluated "
            "(each missing day counts as below 250: enrolled sellers may lapse).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Expire overdue cases, update enrolment, queue notifications.

    Enrolment is evaluated as of yesterday (the last complete UTC day before --now). It is
    held, with a warning, while no account has a score for that day (its import has not
    arrived); the rest of the sweep runs.
    """
    from ahr_tui.rules import last_complete_day
    from ahr_tui.service.sweep import sweep as run

    st = state(ctx)
    instant = parse_instant(now, "--now", st.clock)
    report = run(st.engine(), now=instant, as_of=last_complete_day(instant), actor=st.actor(),
                 allow_missing_scores=allow_missing_scores)
    if report.enrolment_held:
        ended = (f"the last scored day is {report.scores_end.isoformat()}"
                 if report.scores_end else "no scores have been imported")
        err(f"ahr: enrolment changes held: no account has a score for "
            f"{report.as_of.isoformat()} yet ({ended}). A missing day counts as below 250, so "
            "evaluating it now would lapse enrolled sellers; import that day's scores and "
            "sweep again, or pass --allow-missing-scores.")
    if as_json:
        emit_json(
            {
                "as_of": report.as_of.isoformat(),
                "expired": report.expired,
                "warned": report.warned,
                "enrollment_changes": dict(report.enrollment_changes),
                "notifications": report.notifications,
                "enrolment_held": report.enrolment_held,
                "scores_end": report.scores_end.isoformat() if report.scores_end else None,
            }
        )
        return
    out(
        f"as of {report.as_of.isoformat()}: {count(len(report.expired), 'case')} expired, "
        f"{count(len(report.warned), 'deadline warning')}, "
        f"{count(sum(report.enrollment_changes.values()), 'enrolment change')}, "
        f"{count(report.notifications, 'notification')} queued"
    )
    for change, changed in sorted(report.enrollment_changes.items()):
        out(f"  {change}: {changed}")


SellerIdsArg = Annotated[list[str] | None, typer.Argument(help="Sellers (default: all).")]
StoreFilterOpt = Annotated[str | None, typer.Option("--store", help="Only this store.")]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Day, YYYY-MM-DD (default: yesterday, UTC).")
]


def eligibility(
    ctx: typer.Context,
    seller_ids: SellerIdsArg = None,
    store: StoreFilterOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Whether each account qualifies, and every reason it does not. Changes nothing."""
    from ahr_tui.rules import last_complete_day
    from ahr_tui.service.database import read
    from ahr_tui.service.sweep import evaluate_accounts
    from ahr_tui.service.views import has_accounts

    st = state(ctx)
    day = parse_day(as_of, "--as-of") or last_complete_day(st.clock())
    code = known_store(store)
    items = read(st.engine(), evaluate_accounts, day, seller_ids=seller_ids, store=code)
    if seller_ids:
        _check_sellers_found(seller_ids, items, code)
    if as_json:
        emit_json([i.to_json() for i in items])
        return
    table(ELIGIBILITY_COLUMNS, [_eligibility_row(i) for i in items])
    eligible = sum(i.eligibility.eligible for i in items)
    out(f"as of {day.isoformat()}: {eligible} of {len(items)} eligible")
    if not items and not read(st.engine(), has_accounts):
        out(NO_ACCOUNTS_YET)


def _check_sellers_found(
    seller_ids: list[str], items: list[AccountEligibility], store: str | None
) -> None:
    """Raises ``NotFound`` naming every seller asked for that has no account (in ``store``)."""
    from ahr_tui.errors import NotFound

    missing = sorted(set(seller_ids) - {i.seller_id for i in items})
    if missing:
        where = f" in store {store}." if store else "."
        raise NotFound(f"no seller {', '.join(missing)}{where}")


#: ``<250`` counts the days scored under 250 and ``MISSING`` the days with no score, so that no
#: day is counted in both (the rule's ``days_below``, in ``--json``, is their sum).
ELIGIBILITY_COLUMNS = (
    "SELLER", "STORE", "ELIGIBLE", "<250", "MISSING", "PHONE", "PLAN", "ENROLMENT", "REASONS",
    "NAME",
)


def _eligibility_row(i: AccountEligibility) -> tuple[object, ...]:
    """One account's line of ``ahr eligibility``, in ``ELIGIBILITY_COLUMNS`` order."""
    return (
        i.seller_id,
        i.store,
        "yes" if i.eligibility.eligible else "no",
        i.eligibility.days_scored_below,
        i.eligibility.days_missing,
        i.eligibility.phone.value,
        i.plan,
        i.enrollment.value,
        ",".join(i.eligibility.reason_words) or "-",
        i.name,
    )


@store_app.command("list")
def store_list(
    ctx: typer.Context, as_json: JsonOpt = False
) -> None:
    """Every store: marketplace id, whether the program runs there."""
    from ahr_tui.service.admin import list_stores
    from ahr_tui.service.database import read

    stores = read(state(ctx).engine(), list_stores)
    if as_json:
        emit_json(
            [
                {
                    "code": s.code,
                    "name": s.name,
                    "marketplace_id": s.marketplace_id,
                    "aha_enabled": s.aha_enabled,
                }
                for s in stores
            ]
        )
        return
    table(
        ("CODE", "NAME", "MARKETPLACE", "AHA"),
        [(s.code, s.name, s.marketplace_id, "enabled" if s.aha_enabled else "-") for s in stores],
    )


def _set_store(ctx: typer.Context, code: str, enabled: bool) -> None:
    from ahr_tui.service.admin import set_store_enabled

    st = state(ctx)
    store = set_store_enabled(st.engine(), code, enabled, actor=st.actor(), now=st.clock())
    out(f"{store.code}: {'enabled' if store.aha_enabled else 'disabled'}")


@store_app.command("enable")
def store_enable(ctx: typer.Context, code: StoreCodeArg) -> None:
    """Run the program in another store (audited; leads only)."""
    _set_store(ctx, code, True)


@store_app.command("disable")
def store_disable(ctx: typer.Context, code: StoreCodeArg) -> None:
    """Stop the program in a store (audited; leads only)."""
    _set_store(ctx, code, False)


@operator_app.command("add")
def operator_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="OS account name.")],
    role: Annotated[
        Role, typer.Option("--role", help="What they may do: triage, investigator or lead.")
    ],
    email: Annotated[
        str | None,
        typer.Option("--email", metavar="ADDR", help="Where escalations for them go."),
    ] = None,
) -> None:
    """Add an operator or change their role and email (leads only)."""
    from ahr_tui.service.admin import add_operator

    st = state(ctx)
    row = add_operator(
        st.engine(), name, role, actor=st.actor(), now=st.clock(), email=email
    )
    out(f"{row.name}: {row.role}" + (f" <{row.email}>" if row.email else ""))


@operator_app.command("list")
def operator_list(
    ctx: typer.Context, as_json: JsonOpt = False
) -> None:
    """Every operator: role, email, hours and whether on shift now."""
    from ahr_tui.rules.coverage import on_shift
    from ahr_tui.service.shifts import describe_hours, operator_json, operator_rows

    st = state(ctx)
    now = st.clock()
    rows = operator_rows(st.engine())
    if as_json:
        emit_json([operator_json(row, shift, now) for row, shift in rows])
        return
    table(
        ("NAME", "ROLE", "EMAIL", "ON SHIFT", "HOURS"),
        [
            (r.name, r.role, r.email or "-", "yes" if on_shift(s, now) else "no",
             describe_hours(s))
            for r, s in rows
        ],
    )


@operator_app.command("remove")
def operator_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="OS account name.")]
) -> None:
    """Remove an operator (leads only; the last lead stays)."""
    from ahr_tui.service.admin import remove_operator

    st = state(ctx)
    remove_operator(st.engine(), name, actor=st.actor(), now=st.clock())
    out(f"{name}: removed")
