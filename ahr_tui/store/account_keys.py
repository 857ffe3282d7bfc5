"""PostgreSQL: every score, audit event and notification names an account that exists, checked
a statement at a time instead of a row.

A declared foreign key (``score.account_id`` to ``account.id``, and the same from ``event`` and
``notification``) makes PostgreSQL run one check per inserted row: a query that locks the
account row (``FOR KEY SHARE``, written into that row's header and the WAL). In the daily import
of 1,000,000 scores into the 177 M scores of a million accounts that was about half of the
server's time; in a sweep's enrolments, which write an event and a notification for each
account changed, it was 1.2 s of the server's 2.7 s for 48,000 changes (bench/README.md, issue
17). On PostgreSQL these tables therefore have no declared foreign key to ``account``; these
triggers keep its promise instead:

- rows inserted: after each statement, one anti-join of its new rows' accounts with
  ``account`` (an event of no account, ``account_id`` NULL, names none);
- a row's ``account_id`` changed (ahr never does): that row's account is looked up;
- accounts deleted, or an account's ``id`` changed (ahr does neither): refused while a score,
  event or notification names the old id. The three tables are first locked in ``SHARE``
  mode, so the check waits for every transaction writing them (an import or a sweep holds
  ``ROW EXCLUSIVE`` from its first write) and then sees their rows; a writer that starts later
  waits for the delete to commit.

A violation raises SQLSTATE 23503 (``foreign_key_violation``), as the foreign key did: the
driver's ``ForeignKeyViolation``, SQLAlchemy's ``IntegrityError``. SQLite keeps the declared
foreign keys (an import, which reads every account id it writes in its own transaction, turns
its per-row check off: ``service.import_unit``). ``ahr init`` drops the foreign keys of an older
database and creates the triggers (both layouts answer every query alike, so this is no schema
version of its own); ``ahr db copy`` turns the insert checks off while it loads and checks
every copied row in one join a table at the end (``check_all``).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

#: The tables whose ``account_id`` names an account, checked by these triggers on PostgreSQL.
CHILDREN = ("score", "event", "notification")
#: Each child table's check of inserted rows: ``ahr db copy`` turns them off while it loads.
INSERT_TRIGGERS = {table: f"ahr_{table}_account_insert" for table in CHILDREN}
#: PL/pgSQL: refuse a row of the child table named by ``{table}`` (an expression) that names
#: the account ``missing``, which does not exist, as the foreign key did (SQLSTATE 23503).
_MISSING = """IF missing IS NOT NULL THEN
            RAISE foreign_key_violation USING TABLE = {table},
                MESSAGE = format('a row of %s violates its foreign key: no account %s',
                                 {table}, missing);
        END IF;"""

_FUNCTION = """
CREATE OR REPLACE FUNCTION ahr_account_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
    child text;
BEGIN
    IF TG_TABLE_NAME <> 'account' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            -- one name for every child's transition table; PL/pgSQL plans each trigger
            -- relation's copy of this function apart
            SELECT n.account_id INTO missing FROM ahr_new_rows n
            WHERE n.account_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM account a WHERE a.id = n.account_id) LIMIT 1;
        ELSIF NEW.account_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM account a WHERE a.id = NEW.account_id) THEN
            missing := NEW.account_id;
        END IF;
        {missing_child}
        RETURN NULL;
    END IF;
    -- every running writer of the three commits first
    LOCK TABLE score, event, notification IN SHARE MODE;
    FOREACH child IN ARRAY ARRAY['score', 'event', 'notification'] LOOP
        IF TG_LEVEL = 'STATEMENT' THEN
            EXECUTE format('SELECT o.id FROM ahr_old_accounts o WHERE EXISTS '
                           '(SELECT 1 FROM %I c WHERE c.account_id = o.id) LIMIT 1', child)
                INTO missing;
        ELSE
            EXECUTE format('SELECT $1 WHERE EXISTS '
                           '(SELECT 1 FROM %I c WHERE c.account_id = $1)', child)
                INTO missing USING OLD.id;
        END IF;
        IF missing IS NOT NULL THEN
            RAISE foreign_key_violation USING TABLE = 'account',
                MESSAGE = format('deleting or renumbering account %s violates the foreign key '
                                 'of %s: rows of it name the account', missing, child);
        END IF;
    END LOOP;
    RETURN NULL;
END $$
"""

#: What an ahr before the event and notification checks created: dropped by ``install``.
_OLD = [
    "DROP TRIGGER IF EXISTS ahr_score_account_insert ON score",
    "DROP TRIGGER IF EXISTS ahr_score_account_update ON score",
    "DROP TRIGGER IF EXISTS ahr_account_scores_delete ON account",
    "DROP TRIGGER IF EXISTS ahr_account_scores_update ON account",
    "DROP FUNCTION IF EXISTS ahr_score_accounts()",
]


def _triggers() -> list[str]:
    statements = [_FUNCTION.replace("{missing_child}", _MISSING.format(table="TG_TABLE_NAME"))]
    for table in CHILDREN:
        statements += [
            f"""CREATE OR REPLACE TRIGGER {INSERT_TRIGGERS[table]} AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS ahr_new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION ahr_account_keys()""",
            f"""CREATE OR REPLACE TRIGGER ahr_{table}_account_update
            AFTER UPDATE OF account_id ON {table}
            FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id)
            EXECUTE FUNCTION ahr_account_keys()""",
        ]
    return [
        *statements,
        """CREATE OR REPLACE TRIGGER ahr_account_keys_delete AFTER DELETE ON account
        REFERENCING OLD TABLE AS ahr_old_accounts
        FOR EACH STATEMENT EXECUTE FUNCTION ahr_account_keys()""",
        """CREATE OR REPLACE TRIGGER ahr_account_keys_update AFTER UPDATE OF id ON account
        FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
        EXECUTE FUNCTION ahr_account_keys()""",
    ]


#: The declared foreign keys from the child tables to ``account`` (one each, unless made by
#: hand).
_DECLARED = """
SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
WHERE c.contype = 'f' AND c.confrelid = 'account'::regclass
  AND c.conrelid = ANY (ARRAY['score'::regclass, 'event'::regclass, 'notification'::regclass])
"""


def install(conn: Connection) -> None:
    """PostgreSQL: drop the child tables' foreign keys to ``account`` and create the triggers
    that check them instead (idempotent; an older ahr's score-only triggers are replaced).
    Nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    for table, name in conn.execute(text(_DECLARED)).all():
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for statement in [*_OLD, *_triggers()]:
        conn.execute(text(statement))


def check_all(conn: Connection) -> None:
    """PostgreSQL: raise ``IntegrityError`` (SQLSTATE 23503) if any score, event or notification
    names an account that does not exist: one join over each table (``ahr db copy``, after
    loading with the insert checks off). Nothing on SQLite, whose foreign keys checked every
    copied row."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(
        f"""DO $$ DECLARE missing bigint; child text; BEGIN
            FOREACH child IN ARRAY ARRAY['score', 'event', 'notification'] LOOP
                EXECUTE format('SELECT c.account_id FROM %I c WHERE c.account_id IS NOT NULL '
                               'AND NOT EXISTS (SELECT 1 FROM account a '
                               'WHERE a.id = c.account_id) LIMIT 1', child) INTO missing;
                {_MISSING.format(table="child")}
            END LOOP;
        END $$"""))
