"""``ahr import sellers``: new and changed accounts, phones as given, idempotence."""

from __future__ import annotations

from sqlalchemy import select

from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account
from tests.conftest import snapshot
from tests.test_import_common import FIXTURES, seed_accounts, write


def accounts(engine) -> dict[tuple[str, str], Account]:
    with transaction(engine) as session:
        return {(a.seller_id, a.store): a for a in session.execute(select(Account)).scalars()}


def test_new_sellers_are_created_as_given(cli, engine):
    path = FIXTURES / "sellers_valid.csv"
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: 4 new, 0 updated, 0 unchanged, 0 rejected\n"
    got = accounts(engine)
    assert sorted(got) == [("S1", "CA"), ("S1", "US"), ("S2", "US"), ("S4", "UK")]
    beta = got[("S2", "US")]
    assert (beta.name, beta.plan, beta.emergency_phone, beta.email) == (
        "Beta, Inc.",
        "individual",
        "555",
        None,
    )
    assert (beta.status, beta.enrollment, beta.version) == ("active", "not_enrolled", 1)
    assert got[("S1", "CA")].name == "Acme\nCanada"
    assert got[("S4", "UK")].name == "Müller & Söhne"
    assert got[("S4", "UK")].emergency_phone is None


def test_existing_sellers_are_updated_and_their_version_bumped(cli, engine):
    seed_accounts(engine)
    path = FIXTURES / "sellers_valid.csv"
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{path}: 0 new, 4 updated, 0 unchanged, 0 rejected\n"
    acme = accounts(engine)[("S1", "US")]
    assert (acme.name, acme.email, acme.version) == ("Acme Goods", "ops@acme.example", 2)
    assert acme.enrollment == "enrolled"  # the import never touches enrolment or status


def test_importing_the_same_sellers_twice_changes_nothing(cli, engine):
    path = str(FIXTURES / "sellers_valid.csv")
    assert cli("import", "sellers", path).exit_code == 0
    before = snapshot(engine)
    result = cli("import", "sellers", path)
    assert result.stdout == f"{path}: 0 new, 0 updated, 4 unchanged, 0 rejected (nothing changed)\n"
    assert snapshot(engine) == before


def test_bom_crlf_reordered_columns_and_doubled_quotes(cli, engine):
    result = cli("import", "sellers", str(FIXTURES / "sellers_bom_crlf.csv"))
    assert result.exit_code == 0, result.stderr
    got = accounts(engine)
    assert got[("S1", "US")].name == 'Acme "Best" Goods'
    assert got[("S1", "US")].email == "ops@acme.example"
    assert got[("S2", "US")].plan == "individual"


def test_an_empty_name_is_refused(cli, engine, tmp_path):
    path = write(
        tmp_path,
        "s.csv",
        "seller_id,store,name,plan,emergency_phone,email\nS1,US, ,professional,,\n",
    )
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:2: name: is empty"
    assert accounts(engine) == {}
