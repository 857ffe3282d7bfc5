"""PostgreSQL: every score's account exists, checked a statement at a time instead of a row.

A declared foreign key (``score.account_id`` to ``account.id``) makes PostgreSQL run one check
per inserted row: a query that locks the account row (``FOR KEY SHARE``, written into that row's
header). In the daily import of 1,000,000 scores into the 177 M scores of a million accounts
that was about half of the server's time (bench/README.md, issue 17). On PostgreSQL the score
table therefore has no declared foreign key; these triggers keep its promise instead:

- scores inserted: after each statement, one anti-join of its new rows with ``account``;
- a score's ``account_id`` changed (ahr never does): that row's account is looked up;
- accounts deleted, or an account's ``id`` changed (ahr does neither): refused while a score
  names the old id. ``score`` is first locked in ``SHARE`` mode, so the check waits for every
  transaction writing scores (an import holds ``ROW EXCLUSIVE`` from its start) and then sees
  their rows; a writer that starts later waits for the delete to commit.

A violation raises SQLSTATE 23503 (``foreign_key_violation``), as the foreign key did: the
driver's ``ForeignKeyViolation``, SQLAlchemy's ``IntegrityError``. SQLite keeps the declared
foreign key (an import, which reads every account id it writes in its own transaction, turns
its per-row check off: ``service.import_unit``). ``ahr init`` drops the foreign key of an older
database and creates the triggers; ``ahr db copy`` turns them off while it loads and checks
every copied score in one join at the end (``check_all``).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

#: The check of inserted scores: ``ahr db copy`` turns it off while it loads.
INSERT_TRIGGER = "ahr_score_account_insert"

_FUNCTION = """
CREATE OR REPLACE FUNCTION ahr_score_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    IF TG_TABLE_NAME = 'score' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            SELECT n.account_id INTO missing FROM ahr_new_score_accounts n
            WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.id = n.account_id) LIMIT 1;
        ELSIF NOT EXISTS (SELECT 1 FROM account a WHERE a.id = NEW.account_id) THEN
            missing := NEW.account_id;
        END IF;
        IF missing IS NOT NULL THEN
            RAISE foreign_key_violation USING TABLE = 'score',
                MESSAGE = format('a score violates its foreign key: no account %s', missing);
        END IF;
        RETURN NULL;
    END IF;
    LOCK TABLE score IN SHARE MODE;  -- every running score writer commits first
    IF TG_LEVEL = 'STATEMENT' THEN
        SELECT o.id INTO missing FROM ahr_old_accounts o
        WHERE EXISTS (SELECT 1 FROM score s WHERE s.account_id = o.id) LIMIT 1;
    ELSIF EXISTS (SELECT 1 FROM score s WHERE s.account_id = OLD.id) THEN
        missing := OLD.id;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE foreign_key_violation USING TABLE = 'account',
            MESSAGE = format('deleting or renumbering account %s violates the scores'' '
                             'foreign key: it has scores', missing);
    END IF;
    RETURN NULL;
END $$
"""

_TRIGGERS = [
    _FUNCTION,
    f"""CREATE OR REPLACE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON score
    REFERENCING NEW TABLE AS ahr_new_score_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ahr_score_accounts()""",
    """CREATE OR REPLACE TRIGGER ahr_score_account_update AFTER UPDATE OF account_id ON score
    FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION ahr_score_accounts()""",
    """CREATE OR REPLACE TRIGGER ahr_account_scores_delete AFTER DELETE ON account
    REFERENCING OLD TABLE AS ahr_old_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ahr_score_accounts()""",
    """CREATE OR REPLACE TRIGGER ahr_account_scores_update AFTER UPDATE OF id ON account
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION ahr_score_accounts()""",
]

#: The declared foreign keys from ``score`` to ``account`` (one, unless made by hand).
_DECLARED = """
SELECT c.conname FROM pg_constraint c
WHERE c.contype = 'f' AND c.conrelid = 'score'::regclass AND c.confrelid = 'account'::regclass
"""


def install(conn: Connection) -> None:
    """PostgreSQL: drop ``score``'s foreign key to ``account`` and create the triggers that
    check it instead (idempotent). Nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    for name in conn.execute(text(_DECLARED)).scalars():
        conn.execute(text(f'ALTER TABLE score DROP CONSTRAINT "{name}"'))
    for statement in _TRIGGERS:
        conn.execute(text(statement))


def check_all(conn: Connection) -> None:
    """PostgreSQL: raise ``IntegrityError`` (SQLSTATE 23503) if any score names an account that
    does not exist: one join over every score (``ahr db copy``, after loading with the triggers
    off). Nothing on SQLite, whose foreign key checked every copied row."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(
        """DO $$ DECLARE missing bigint; BEGIN
            SELECT s.account_id INTO missing FROM score s
            WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.id = s.account_id) LIMIT 1;
            IF missing IS NOT NULL THEN
                RAISE foreign_key_violation USING TABLE = 'score',
                    MESSAGE = format('a score violates its foreign key: no account %s', missing);
            END IF;
        END $$"""))
