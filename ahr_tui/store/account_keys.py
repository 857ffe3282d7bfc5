"""PostgreSQL: every score, audit event and notification names an account that exists, and every
event and notification of a case a case that exists, checked a statement at a time instead of a
row.

A declared foreign key (``score.account_id`` to ``account.id``, and the same from ``event`` and
``notification``) makes PostgreSQL run one check per inserted row: a query that locks the
account row (``FOR KEY SHARE``, written into that row's header and the WAL). In the daily import
of 1,000,000 scores into the 177 M scores of a million accounts that was about half of the
server's time; in a sweep's enrolments, which write an event and a notification for each
account changed, it was 1.2 s of the server's 2.7 s for 48,000 changes (bench/README.md, issue
17). A declared key of a column that is NULL costs less, but still a queued trigger call per
row: the ``case_id`` of events and notifications, NULL for every enrolment a sweep writes,
about 0.8 µs a row on this server (bench/README.md). On PostgreSQL these tables therefore have no
declared foreign key to ``account`` or ``aha_case``; these triggers keep their promise
instead, the same for each parent (``KEYS``):

- rows inserted: after each statement, one anti-join of its new rows' accounts with
  ``account`` (an event of no account, ``account_id`` NULL, names none);
- a row's ``account_id`` changed (ahr never does): that row's account is looked up;
- accounts deleted, or an account's ``id`` changed (ahr does neither): refused while a score,
  event or notification names the old id. The three tables are first locked in ``SHARE``
  mode, so the check waits for every transaction writing them (an import or a sweep holds
  ``ROW EXCLUSIVE`` from its first write) and then sees their rows; a writer that starts later
  waits for the delete to commit.
- the same for ``case_id`` and ``aha_case``, over ``event`` and ``notification``.

A violation raises SQLSTATE 23503 (``foreign_key_violation``), as the foreign key did: the
driver's ``ForeignKeyViolation``, SQLAlchemy's ``IntegrityError``. SQLite keeps the declared
foreign keys (an import, which reads every account id it writes in its own transaction, turns
its per-row check off: ``service.import_unit``). ``ahr init`` drops the foreign keys of an older
database and creates the triggers (both layouts answer every query alike, so this is no schema
version of its own); ``ahr db copy`` turns the insert checks off while it loads and checks
every copied row in one join a table at the end (``check_all``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Key:
    """One parent table, checked by triggers instead of the foreign keys its children declare
    on SQLite: the children's ``column`` names a row of ``parent`` by its ``id``."""

    #: the word for the parent in trigger names and messages: ``account``, ``case``
    word: str
    parent: str
    column: str
    children: tuple[str, ...]

    @property
    def function(self) -> str:
        return f"ahr_{self.word}_keys"

    def insert_trigger(self, child: str) -> str:
        """The name of ``child``'s check of inserted rows."""
        return f"ahr_{child}_{self.word}_insert"


ACCOUNT = Key("account", "account", "account_id", ("score", "event", "notification"))
CASE = Key("case", "aha_case", "case_id", ("event", "notification"))
#: Every parent checked by these triggers on PostgreSQL.
KEYS = (ACCOUNT, CASE)
#: The checks of inserted rows, (table, trigger) each: ``ahr db copy`` turns them off while it
#: loads.
INSERT_TRIGGERS = tuple((child, key.insert_trigger(child)) for key in KEYS
                        for child in key.children)
#: PL/pgSQL: refuse a row of the child table named by ``{table}`` (an expression) that names
#: the ``{word}`` ``missing``, which does not exist, as the foreign key did (SQLSTATE 23503).
_MISSING = """IF missing IS NOT NULL THEN
            RAISE foreign_key_violation USING TABLE = {table},
                MESSAGE = format('a row of %s violates its foreign key: no {word} %s',
                                 {table}, missing);
        END IF;"""

_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
    child text;
BEGIN
    IF TG_TABLE_NAME <> '{parent}' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            -- one name for every child's transition table; PL/pgSQL plans each trigger
            -- relation's copy of this function apart
            SELECT n.{column} INTO missing FROM ahr_new_rows n
            WHERE n.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = n.{column}) LIMIT 1;
        ELSIF NEW.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = NEW.{column}) THEN
            missing := NEW.{column};
        END IF;
        {missing_child}
        RETURN NULL;
    END IF;
    -- every running writer of the children commits first
    LOCK TABLE {children} IN SHARE MODE;
    FOREACH child IN ARRAY ARRAY[{child_names}] LOOP
        IF TG_LEVEL = 'STATEMENT' THEN
            EXECUTE format('SELECT o.id FROM ahr_old_rows o WHERE EXISTS '
                           '(SELECT 1 FROM %I c WHERE c.{column} = o.id) LIMIT 1', child)
                INTO missing;
        ELSE
            EXECUTE format('SELECT $1 WHERE EXISTS '
                           '(SELECT 1 FROM %I c WHERE c.{column} = $1)', child)
                INTO missing USING OLD.id;
        END IF;
        IF missing IS NOT NULL THEN
            RAISE foreign_key_violation USING TABLE = '{parent}',
                MESSAGE = format('deleting or renumbering {word} %s violates the foreign key '
                                 'of %s: rows of it name the {word}', missing, child);
        END IF;
    END LOOP;
    RETURN NULL;
END $$
"""

#: What an older ahr created: dropped by ``install`` (the score-only triggers, and the
#: account's triggers by their names before the case's were added).
_OLD = [
    "DROP TRIGGER IF EXISTS ahr_score_account_insert ON score",
    "DROP TRIGGER IF EXISTS ahr_score_account_update ON score",
    "DROP TRIGGER IF EXISTS ahr_account_scores_delete ON account",
    "DROP TRIGGER IF EXISTS ahr_account_scores_update ON account",
    "DROP FUNCTION IF EXISTS ahr_score_accounts()",
]


def _triggers(key: Key) -> list[str]:
    function = _FUNCTION.format(
        function=key.function, parent=key.parent, column=key.column, word=key.word,
        children=", ".join(key.children),
        child_names=", ".join(f"'{child}'" for child in key.children),
        missing_child=_MISSING.format(table="TG_TABLE_NAME", word=key.word))
    statements = [function]
    for table in key.children:
        statements += [
            f"""CREATE OR REPLACE TRIGGER {key.insert_trigger(table)} AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS ahr_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {key.function}()""",
            f"""CREATE OR REPLACE TRIGGER ahr_{table}_{key.word}_update
            AFTER UPDATE OF {key.column} ON {table}
            FOR EACH ROW WHEN (OLD.{key.column} IS DISTINCT FROM NEW.{key.column})
            EXECUTE FUNCTION {key.function}()""",
        ]
    return [
        *statements,
        f"""CREATE OR REPLACE TRIGGER ahr_{key.word}_keys_delete AFTER DELETE ON {key.parent}
        REFERENCING OLD TABLE AS ahr_old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {key.function}()""",
        f"""CREATE OR REPLACE TRIGGER ahr_{key.word}_keys_update AFTER UPDATE OF id
        ON {key.parent}
        FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
        EXECUTE FUNCTION {key.function}()""",
    ]


#: The declared foreign keys from a key's children to its parent (one each, unless made by
#: hand).
_DECLARED = """
SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.contype = 'f' AND c.confrelid = CAST(:parent AS regclass)
  AND c.conrelid = ANY (CAST(:children AS regclass[])) AND a.attname = :column
"""


def install(conn: Connection) -> None:
    """PostgreSQL: drop the child tables' foreign keys to ``account`` and ``aha_case`` and
    create the triggers that check them instead (idempotent; an older ahr's triggers are
    replaced). Nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    for statement in _OLD:
        conn.execute(text(statement))
    for key in KEYS:
        declared = conn.execute(text(_DECLARED), {
            "parent": key.parent, "children": list(key.children), "column": key.column}).all()
        for table, name in declared:
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for statement in _triggers(key):
            conn.execute(text(statement))


def check_all(conn: Connection) -> None:
    """PostgreSQL: raise ``IntegrityError`` (SQLSTATE 23503) if any score, event or notification
    names an account, or any event or notification a case, that does not exist: one join over
    each table and key (``ahr db copy``, after loading with the insert checks off). Nothing on
    SQLite, whose foreign keys checked every copied row."""
    if conn.dialect.name != "postgresql":
        return
    for key in KEYS:
        children = ", ".join(f"'{child}'" for child in key.children)
        conn.execute(text(
            f"""DO $$ DECLARE missing bigint; child text; BEGIN
                FOREACH child IN ARRAY ARRAY[{children}] LOOP
                    EXECUTE format('SELECT c.{key.column} FROM %I c '
                                   'WHERE c.{key.column} IS NOT NULL '
                                   'AND NOT EXISTS (SELECT 1 FROM {key.parent} p '
                                   'WHERE p.id = c.{key.column}) LIMIT 1', child) INTO missing;
                    {_MISSING.format(table="child", word=key.word)}
                END LOOP;
            END $$"""))
