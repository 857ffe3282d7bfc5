"""The database as the front ends hold it: open it, name it, word its failures, read through it.

The CLI and the app never import ``store`` or SQLAlchemy (DESIGN section 2). They hold a
``Database`` (an opaque handle; today SQLAlchemy's ``Engine``, named here for type annotations
only) and pass it to service functions. Nothing here imports SQLAlchemy at module level, so
``ahr --help`` and the app's first frame do not wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeAlias, TypeVar

from ahr_tui.errors import AhrError, DatabaseProblem

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from ahr_tui.store.copy import CopyReport

    #: An open database: pass it to service functions; never used for SQL by a front end.
    Database: TypeAlias = Engine



def __getattr__(name: str) -> object:
    # ``Database`` at run time (an annotation evaluated by a tool, say) without loading
    # SQLAlchemy on import of this module.
    if name == "Database":
        from sqlalchemy.engine import Engine

        return Engine
    raise AttributeError(name)


P = ParamSpec("P")
T = TypeVar("T")


def open_database(db: str, *, create: bool = False) -> Database:
    """Open ``db`` (a file path or a SQLAlchemy URL). Without ``create`` the schema is checked
    (ours, not newer) and a missing file is refused; with it (``ahr init``, ``ahr sample``) a
    new file may be made. Raises ``DatabaseProblem`` with one sentence."""
    from ahr_tui.store.engine import make_engine
    from ahr_tui.store.schema import check_schema

    engine = make_engine(db, create=create)
    if not create:
        check_schema(engine)
    return engine


def database_name(db: str | Database) -> str:
    """What to call the database in messages: the file path, or the URL without a password."""
    from ahr_tui.store.engine import describe, to_url

    return describe(to_url(db) if isinstance(db, str) else db.url)


def database_problem(exc: BaseException, db: str | None) -> DatabaseProblem | None:
    """A database driver error raised anywhere below as one sentence a user can act on
    (``db`` names the database); None when ``exc`` is not a driver error."""
    import sys

    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    from ahr_tui.store.engine import translate

    if not isinstance(exc, DBAPIError):
        return None
    return translate(exc, database_name(db) if db is not None else "the database")


def url_label(url: str) -> str:
    """A database URL as shown to a user: without its password. Raises ``ArgumentError`` for
    text that is not a URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def failures() -> tuple[type[Exception], ...]:
    """What a service call may raise for a database that cannot be read or written: ahr's own
    errors and SQLAlchemy's (imported only when asked)."""
    from sqlalchemy.exc import SQLAlchemyError

    return (AhrError, SQLAlchemyError)


def read(
    db: Database, query: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run the service query ``query(session, *args, **kwargs)`` in one read transaction and
    return its result (plain values: the session is gone when it returns). Raises what the
    query raises."""
    from ahr_tui.store.engine import transaction

    with transaction(db) as session:
        return query(session, *args, **kwargs)


def copy_database(
    source: str, target: str, *, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """``ahr db copy``: every table, ids and audit chain included, from ``source`` into the
    empty database ``target`` (paths or URLs); ``progress(table, rows)`` as it goes. Raises
    ``DatabaseProblem`` for a target that has tables or a database that cannot be opened."""
    from ahr_tui.store.copy import copy_database as run

    return run(source, target, progress=progress)


def reading_stdin(engine: Database, command: str) -> str:
    """The shell command that runs ``command`` (``import scores -``) on ``engine``'s database,
    ``--db`` included: the end of the pipe an advice shows (``gunzip -c F | ahr --db X import
    scores -``), so that, pasted, it imports where the refused command would have."""
    from ahr_tui.store.recognise import shell_command_on

    return shell_command_on(database_name(engine), command)


def command_on(where: str, command: str) -> str:
    """```ahr --db WHERE COMMAND``` for the database named ``where`` (as ``database_name``
    gives it), quoted to run as written in a POSIX shell."""
    from ahr_tui.store.recognise import command_on as quoted

    return quoted(where, command)
