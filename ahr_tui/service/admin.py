"""Setting up a database, stores and operators (all audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from ahr_tui.errors import InvalidInput, NotFound, RuleRejected, no_store
from ahr_tui.notify.smtp import address_problem
from ahr_tui.rules import Permission, Role
from ahr_tui.service.access import require
from ahr_tui.store import audit
from ahr_tui.store.actor import Actor
from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Operator, OperatorHours, Store
from ahr_tui.store.schema import ensure_schema


def init_database(
    engine: Engine, *, actor: Actor, now: datetime,
    upgrading: Callable[[int, int], None] | None = None,
) -> bool:
    """Create or upgrade the schema; with no operators yet, ``actor`` becomes the first lead
    (audited at ``now``, aware UTC). Returns True when the schema was created, False when it was
    there (upgraded if it was older: ``upgrading(from, to)`` is called first). Raises
    ``DatabaseProblem`` (a schema newer than this version, a read-only or corrupt database)."""
    created = ensure_schema(engine, now=now, upgrading=upgrading)
    with transaction(engine, write=True) as session:
        make_first_lead(session, actor=actor, now=now)
    return created


def filter_index_missing(session: Session) -> bool:
    """True on PostgreSQL when the Accounts filter's trigram index is absent (``pg_trgm``
    could not be created: ``store.account_pg``); the filter then walks the list in order."""
    from ahr_tui.store import account_pg

    return session.get_bind().dialect.name == "postgresql" and not account_pg.has_trgm(session)


def make_first_lead(session: Session, *, actor: Actor, now: datetime) -> bool:
    """In the caller's transaction: with no operators yet, ``actor`` becomes the first lead
    (audited at ``now``, aware UTC). Returns whether it did."""
    if session.execute(select(func.count()).select_from(Operator)).scalar():
        return False
    session.add(Operator(name=actor.name, role=Role.LEAD.value, added_at=now, added_by=actor.name))
    audit.append(
        session,
        actor=actor,
        action="operator_add",
        at=now,
        recorded_at=now,
        to_state=Role.LEAD.value,
        note=f"{actor.name} (first lead of a new database)",
    )
    return True


def list_stores(session: Session) -> list[Store]:
    """Every store, by code."""
    return list(session.execute(select(Store).order_by(Store.code)).scalars())


def set_store_enabled(
    engine: Engine, code: str, enabled: bool, *, actor: Actor, now: datetime
) -> Store:
    """Run the program in store ``code`` (any case) or stop it, audited at ``now`` (aware UTC);
    the same state again writes nothing. Returns the store.

    Raises ``PermissionDenied`` (not a lead) or ``NotFound`` (no such store).
    """
    code = code.upper()
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.MANAGE_STORES)
        store = session.get(Store, code)
        if store is None:
            raise no_store(code)
        if store.aha_enabled != enabled:
            before = "enabled" if store.aha_enabled else "disabled"
            store.aha_enabled = enabled
            audit.append(
                session,
                actor=actor,
                action="store_enable" if enabled else "store_disable",
                at=now,
                recorded_at=now,
                from_state=before,
                to_state="enabled" if enabled else "disabled",
                note=f"store {code}",
            )
        return store


def list_operators(session: Session) -> list[Operator]:
    """Every operator, by name."""
    return list(session.execute(select(Operator).order_by(Operator.name)).scalars())


def add_operator(
    engine: Engine,
    name: str,
    role: Role,
    *,
    actor: Actor,
    now: datetime,
    email: str | None = None,
) -> Operator:
    """Add operator ``name`` (an OS account name) with ``role``, or change an existing one's
    role (and ``email``, when given and not empty), audited at ``now`` (aware UTC). Returns
    the operator's row; changing nothing writes nothing.

    Raises ``InvalidInput`` (a name that is no OS account name, a malformed address),
    ``PermissionDenied`` (not a lead) or ``RuleRejected`` (demoting the last lead).
    """
    name = _account_name(name)
    email = _email(email)
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.MANAGE_OPERATORS)
        row = session.get(Operator, name)
        before = row.role if row else None
        if row is None:
            row = Operator(
                name=name, role=role.value, added_at=now, added_by=actor.name, email=email
            )
            session.add(row)
        elif not _change_operator(session, row, role, email):
            return row
        audit.append(
            session, actor=actor, action="operator_add", at=now, recorded_at=now,
            from_state=before, to_state=role.value,
            note=f"{name} <{row.email}>" if row.email else name,
        )
        return row


def _account_name(name: str) -> str:
    name = name.strip()
    if not name or any(ch.isspace() or ord(ch) < 32 for ch in name):
        raise InvalidInput(f"{name!r} is not an OS account name.")
    return name


def _email(email: str | None) -> str | None:
    """The address to keep: None when not given or empty; raises ``InvalidInput`` when bad."""
    if email is None:
        return None
    email = email.strip() or None
    problem = address_problem(email) if email else None
    if problem is not None:
        raise InvalidInput(f"--email: {problem}.")
    return email


def _change_operator(session: Session, row: Operator, role: Role, email: str | None) -> bool:
    """Give an existing operator ``role`` and ``email`` (None: keep it); False when neither
    changes anything."""
    if row.role == role.value and (email is None or row.email == email):
        return False
    if row.role != role.value:
        _guard_last_lead(session, row, new_role=role)
    row.role = role.value
    row.email = email if email is not None else row.email
    return True


def remove_operator(engine: Engine, name: str, *, actor: Actor, now: datetime) -> None:
    """Remove operator ``name`` and their working hours, audited at ``now`` (aware UTC).

    Raises ``PermissionDenied`` (not a lead), ``NotFound`` (no such operator) or
    ``RuleRejected`` (the last lead).
    """
    with transaction(engine, write=True) as session:
        require(session, actor, Permission.MANAGE_OPERATORS)
        row = session.get(Operator, name)
        if row is None:
            raise NotFound(f"{name} is not an operator.")
        _guard_last_lead(session, row, new_role=None)
        session.execute(delete(OperatorHours).where(col(OperatorHours.operator) == name))
        session.delete(row)
        audit.append(
            session,
            actor=actor,
            action="operator_remove",
            at=now,
            recorded_at=now,
            from_state=row.role,
            to_state=None,
            note=name,
        )


def _guard_last_lead(session: Session, row: Operator, *, new_role: Role | None) -> None:
    if row.role != Role.LEAD.value or new_role is Role.LEAD:
        return
    leads = session.execute(
        select(func.count()).select_from(Operator).where(Operator.role == Role.LEAD.value)
    ).scalar()
    if leads == 1:
        raise RuleRejected(f"{row.name} is the last lead; add another lead first.", "last_lead")
