"""``ahr import sellers``: new and changed accounts, phones as given, idempotence."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ahr_tui.store.engine import transaction
from ahr_tui.store.models import Account
from tests.conftest import snapshot
from tests.test_import_common import FIXTURES, seed_accounts, write

#: sellers_valid.csv: S2's ``555`` and S1 CA's ``+1 604 555 0100`` (fiction) are invalid, S4 has
#: none; only S1 US's phone could get an account enrolled.
UNREACHABLE_3_OF_4 = ("  3 of 4 new or updated accounts have no valid emergency phone (1 missing, "
                      "2 invalid): they cannot be enrolled until one is on file; ahr eligibility "
                      "shows which (PHONE missing or invalid)")


def accounts(engine) -> dict[tuple[str, str], Account]:
    with transaction(engine) as session:
        return {(a.seller_id, a.store): a for a in session.execute(select(Account)).scalars()}


def test_new_sellers_are_created_as_given(cli, engine):
    path = FIXTURES / "sellers_valid.csv"
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"{path}: 4 new, 0 updated, 0 unchanged, 0 rejected\n{UNREACHABLE_3_OF_4}\n")
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
    assert result.stdout == (
        f"{path}: 0 new, 4 updated, 0 unchanged, 0 rejected\n{UNREACHABLE_3_OF_4}\n")
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


def test_the_summary_counts_the_accounts_written_with_no_phone_that_could_get_them_enrolled(
    cli, engine, tmp_path
):
    """The accounts written (new or updated) whose emergency phone is missing or not dialable,
    as eligibility decides (``rules.phone_status``: the 555-01xx fiction range, ``00`` read as
    international); rejected and unchanged rows are not counted, and nothing to count says
    nothing."""
    header = "seller_id,store,name,plan,emergency_phone,email\n"
    path = write(tmp_path, "s.csv", header
                 + "S1,US,A,professional,(212) 555-0123,\n"  # fiction: invalid
                 + "S2,US,B,professional,001 212 736 5000,\n"  # 00: international, valid
                 + "S3,UK,C,professional,,\n"  # missing
                 + "S4,UK,D,professional,020 7946 0958,\n"  # valid in the UK
                 + "S5,XX,E,professional,,\n")  # rejected: unknown store
    said = cli("import", "sellers", str(path), "--skip-invalid", "--dry-run")
    line = ("  2 of 4 new or updated accounts have no valid emergency phone (1 missing, 1 "
            "invalid): they cannot be enrolled until one is on file; ahr eligibility shows "
            "which (PHONE missing or invalid)")
    assert said.exit_code == 0 and said.stdout.splitlines()[1:] == [line], said.stdout
    said = cli("import", "sellers", str(path), "--skip-invalid")
    assert said.exit_code == 0 and said.stdout.splitlines()[1] == line, said.stdout
    rows = json.loads(cli("eligibility", "--json").stdout)
    assert sorted(r["seller_id"] for r in rows if not r["phone_valid"]) == ["S1", "S3"]
    again = cli("import", "sellers", str(path), "--skip-invalid")
    assert "emergency phone" not in again.stdout  # nothing written, nothing counted
    fixed = write(tmp_path, "fixed.csv", header + "S1,US,A,professional,+1 212 736 5000,\n"
                  + "S3,UK,C,professional,,seller@example.com\n")
    said = cli("import", "sellers", str(fixed))
    assert said.stdout.splitlines()[1:] == [
        "  1 of 2 new or updated accounts has no valid emergency phone (1 missing, 0 invalid): "
        "it cannot be enrolled until one is on file; ahr eligibility shows which (PHONE "
        "missing or invalid)"], said.stdout
    # where it points: ahr eligibility says which account, in its PHONE column
    listed = cli("eligibility", "S3").stdout.splitlines()
    phone = listed[0].split().index("PHONE")
    assert listed[1].split()[0] == "S3" and listed[1].split()[phone] == "missing", listed
    valid = write(tmp_path, "valid.csv", header + "S6,US,F,professional,+1 415 736 5000,\n")
    assert cli("import", "sellers", str(valid)).stdout == (
        f"{valid}: 1 new, 0 updated, 0 unchanged, 0 rejected\n")


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


HEADER = "seller_id,store,name,plan,emergency_phone,email\n"


def test_a_plan_in_any_case_with_spaces_is_stored_as_its_value(cli, engine, tmp_path):
    rows = "S1,US,Acme,Professional,,\nS2,US,Beta, INDIVIDUAL ,,\n"
    path = write(tmp_path, "s.csv", HEADER + rows)
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 0, result.stderr
    got = accounts(engine)
    assert (got[("S1", "US")].plan, got[("S2", "US")].plan) == ("professional", "individual")
    again = cli("import", "sellers", str(path))
    assert again.stdout.endswith("2 unchanged, 0 rejected (nothing changed)\n")


def test_a_policy_area_in_any_case_is_read_as_its_value(cli, engine, tmp_path):
    seed_accounts(engine)
    path = write(tmp_path, "c.csv", "seller_id,store,policy,contacted_at,summary\n"
                 "S1,US, Product Safety ,2026-03-01T10:00:00Z,x\n")
    result = cli("import", "cases", str(path))
    assert result.exit_code == 0, result.stderr
    [case] = json.loads(cli("cases", "--json", "--status", "open", "--status", "expired").stdout)
    assert case["policy"] == "product_safety"


@pytest.mark.parametrize("email", ["not-an-email", "a@b@c", "ops@acme.example x", "@acme.example"])
def test_an_email_that_is_not_an_address_is_refused(cli, engine, tmp_path, email):
    path = write(tmp_path, "s.csv", HEADER + f"S1,US,Acme,professional,,{email}\n")
    result = cli("import", "sellers", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:2: email: '{email}' is not an email address (like name@example.com)"
    )
    assert accounts(engine) == {}


def test_an_address_with_surrounding_spaces_is_stored_without_them(cli, engine, tmp_path):
    path = write(tmp_path, "s.csv", HEADER + "S1,US,Acme,professional,, ops@acme.example \n")
    assert cli("import", "sellers", str(path)).exit_code == 0
    assert accounts(engine)[("S1", "US")].email == "ops@acme.example"


BAD_ROW = "S2,US,Beta,gold,,\n"


def test_rejects_go_beside_the_file_by_default_or_where_rejects_says(cli, engine, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    path = write(shared, "s.csv", HEADER + "S1,US,Acme,professional,,\n" + BAD_ROW)
    mine = tmp_path / "mine"
    mine.mkdir()
    named = cli("import", "sellers", str(path), "--skip-invalid", "--rejects",
                str(mine / "bad.csv"))
    assert named.exit_code == 0, named.stderr
    assert named.stdout.splitlines()[-1] == f"1 rejected; written to {mine / 'bad.csv'}"
    assert (mine / "bad.csv").read_text().splitlines()[1].startswith("S2,US,Beta,gold,,,")
    folder = cli("import", "sellers", str(path), "--skip-invalid", "--rejects", str(mine))
    assert folder.stdout.splitlines()[-1] == f"1 rejected; written to {mine / 's.rejects.csv'}"
    assert sorted(p.name for p in shared.iterdir()) == ["s.csv"]  # nothing written beside it
    default = cli("import", "sellers", str(path), "--skip-invalid")
    assert default.stdout.splitlines()[-1] == f"1 rejected; written to {shared / 's.rejects.csv'}"
    assert (shared / "s.rejects.csv").exists()


def test_rejects_needs_skip_invalid_and_never_names_the_input(cli, engine, tmp_path):
    path = write(tmp_path, "s.csv", HEADER + BAD_ROW)
    alone = cli("import", "sellers", str(path), "--rejects", str(tmp_path / "r.csv"))
    assert alone.exit_code == 2 and "--skip-invalid" in alone.stderr
    itself = cli("import", "sellers", str(path), "--skip-invalid", "--rejects", str(path))
    assert itself.exit_code == 2 and "the file being imported" in itself.stderr
    assert path.read_text() == HEADER + BAD_ROW
    assert accounts(engine) == {}


def test_import_help_says_where_the_rejects_go(cli):
    shown = " ".join(cli("import", "scores", "--help").stdout.split())
    assert "scores.rejects.csv" in shown and "--rejects" in shown


def test_rejects_to_a_folder_that_does_not_exist_say_so_and_nothing_is_written(
    cli, engine, tmp_path
):
    """A newcomer's trial: a missing folder was reported as "No such file or directory" here
    and as "is not a folder" by the export; both now say the folder does not exist."""
    path = write(tmp_path, "s.csv", HEADER + "S1,US,Acme,professional,,\n" + BAD_ROW)
    missing = tmp_path / "no-such" / "bad.csv"
    result = cli("import", "sellers", str(path), "--skip-invalid", "--rejects", str(missing))
    assert result.exit_code == 1
    assert result.stderr == (
        f"ahr: cannot write {missing}: the folder {missing.parent} does not exist.\n")
    assert accounts(engine) == {}


def test_rejects_to_a_path_ending_with_a_slash_go_in_that_folder_made_with_its_parents(
    cli, engine, tmp_path
):
    """A newcomer's trial: ``--rejects DIR/`` for a DIR not there yet wrote a file named DIR
    (``Path`` drops the slash). A path written with a trailing slash names a folder: it is
    made, parents too, and NAME.rejects.csv written in it."""
    path = write(tmp_path, "s.csv", HEADER + "S1,US,Acme,professional,,\n" + BAD_ROW)
    folder = tmp_path / "rejects" / "today"
    result = cli("import", "sellers", str(path), "--skip-invalid", "--rejects", f"{folder}/")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"1 rejected; written to {folder / 's.rejects.csv'}"
    assert folder.is_dir() and [p.name for p in folder.iterdir()] == ["s.rejects.csv"]
    assert (folder / "s.rejects.csv").read_text().splitlines()[1].startswith("S2,US,Beta,gold")
    assert sorted(accounts(engine)) == [("S1", "US")]


def test_a_folder_for_the_rejects_is_made_only_when_there_are_rejects_to_write(
    cli, engine, tmp_path
):
    """A dry run writes nothing, and a clean file has no rejects: neither leaves a folder."""
    bad = write(tmp_path, "s.csv", HEADER + "S1,US,Acme,professional,,\n" + BAD_ROW)
    dry = cli("import", "sellers", str(bad), "--skip-invalid", "--dry-run", "--rejects",
              f"{tmp_path / 'dry'}/")
    assert dry.exit_code == 0, dry.stderr
    clean = write(tmp_path, "c.csv", HEADER + "S1,US,Acme,professional,,\n")
    done = cli("import", "sellers", str(clean), "--skip-invalid", "--rejects",
               f"{tmp_path / 'clean'}/")
    assert done.exit_code == 0, done.stderr
    assert not (tmp_path / "dry").exists() and not (tmp_path / "clean").exists()


def test_rejects_to_a_folder_under_a_file_are_refused_before_anything_is_read(
    cli, engine, tmp_path
):
    """``--rejects s.csv/`` (a file where the folder should be): one sentence naming the path,
    exit 1, nothing imported, the file untouched."""
    path = write(tmp_path, "s.csv", HEADER + "S1,US,Acme,professional,,\n" + BAD_ROW)
    for given in (f"{path}/", f"{path}/deeper/"):
        result = cli("import", "sellers", str(path), "--skip-invalid", "--rejects", given)
        assert result.exit_code == 1
        assert result.stderr == (
            f"ahr: cannot write {given}s.rejects.csv: {path} is a file, not a folder.\n")
    assert path.read_text() == HEADER + "S1,US,Acme,professional,,\n" + BAD_ROW
    assert accounts(engine) == {}
