"""What a sweep of every command with odd values found stopping on "unexpected error": a
record number past 64 bits, a file name too long for the disk, a folder where a file was
meant, a budget file that is not text. Each now gets a sentence that says what is wrong and
that nothing was changed (exit 1), through the real command line on a real store."""

from __future__ import annotations

import pytest

from tests.test_cli import bizdesk, db  # noqa: F401 - the fixture

HUGE = "9" * 25  # past the 64-bit numbers a store's rows have


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("bank", "undo", "#" + HUGE), f"There is no statement line #{HUGE}."),
        (("leave", "approve", HUGE), f"There is no leave request #{HUGE}"),
        (("employees", "show", HUGE), f"There is no employee '{HUGE}'."),
        (("payroll", "show", HUGE), f"There is no payroll run '{HUGE}'."),
        (("assembly", "cancel", "MO-" + HUGE), f"There is no assembly order 'MO-{HUGE}'."),
        # looked up by a query of its own: said as a number too large
        (("print", "invoice", "INV-" + HUGE), "a number given is too large to be used here"),
    ],
)
def test_a_record_number_past_64_bits_names_no_record(db, args, said) -> None:  # noqa: ANN001, F811
    r = bizdesk(*args, "--db", db)
    assert r.returncode == 1, r.stderr
    assert said in r.stderr and "unexpected" not in r.stderr, r.stderr


def test_a_name_too_long_a_folder_and_a_binary_file_are_said(db, tmp_path) -> None:  # noqa: ANN001, F811
    long = str(tmp_path / ("x" * 300))
    r = bizdesk("export", "contacts", "-o", long, "--db", db)
    assert r.returncode == 1 and "unexpected" not in r.stderr, r.stderr
    assert "the name is too long for the disk" in r.stderr and "Nothing was changed" in r.stderr
    r = bizdesk("import", "contacts", long, "--db", db)
    assert r.returncode == 1 and "the name is too long for the disk" in r.stderr, r.stderr
    r = bizdesk("users", "key", "x", str(tmp_path), "--db", db)
    assert r.returncode == 1 and "is a folder, not a file. Nothing was changed." in r.stderr
    r = bizdesk("budget", "import", db, "--db", db)  # the store itself: not text
    assert r.returncode == 1 and "unexpected" not in r.stderr, r.stderr
    assert "not UTF-8 text (byte" in r.stderr


def test_a_label_names_a_document_in_ascii_digits_within_64_bits() -> None:
    from bizdesk.services.base.numbering import PAYROLL_RUN

    assert PAYROLL_RUN.number_in("pr1") == PAYROLL_RUN.number_in("PR-00001") == 1
    assert PAYROLL_RUN.number_in("PR-\uff11") is None  # a wide 1 is not read as 1
    assert PAYROLL_RUN.number_in("PR-" + HUGE) is None


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("campaigns", "show", "#²"), "There is no campaign named '#²'."),
        (("segments", "show", "#²"), "There is no segment named '#²'."),
        (("segments", "members", "vip", "--limit", "²"), "--limit: '²' is not a count of 1"),
        (("nurture", "show", "²"), "There is no nurturing sequence named '²'."),
        (("mail", "cancel", "²"), "ID: a message's id, a whole number"),
        (("mail", "retry", "--resend", "²"), "--resend: a message's id, a whole number"),
        (("mail", "settings", "--port", "²"), "--port: a port is a whole number from 1 to 65535"),
        (("recurring", "skip", "²"), "'²' is not the id of a template (a number)"),
        (("bank", "remove-statement", "²"), "statement: no statement '²'"),
        (("print", "statement", "²"), "number: no contact named '²'"),
        (("budget", "copy", "--from-year", "²⁰²⁶", "--to-year", "2027"), "--from-year: a year"),
        (("reminder-levels", "set", "1", "--days", "²"), "--days: a whole number of days"),
        (
            ("campaigns", "add", "x", "--segment", "#²", "--subject", "s", "--body", "b"),
            "--segment: There is no segment named '#²'.",
        ),
        (
            (
                "campaigns",
                "add",
                "x",
                "--segment",
                "v",
                "--subject",
                "s",
                "--body",
                "b",
                "--days",
                "²",
            ),
            "--days: a whole number of days from 0 to 366",
        ),
    ],
)
def test_digits_int_cannot_read_are_refused_as_a_word_is(db, args, said) -> None:  # noqa: ANN001, F811
    """'²' passes str.isdigit() but int() cannot read it: each command refuses it as it
    refuses 'abc', where it stopped on "unexpected error (ValueError)"."""
    r = bizdesk(*args, "--db", db)
    assert r.returncode in (1, 2), r.stderr
    assert said in r.stderr and "unexpected" not in r.stderr, r.stderr


def test_a_file_with_digits_int_cannot_read_is_refused_at_its_line(db, tmp_path) -> None:  # noqa: ANN001, F811
    r = bizdesk("import", "contacts", "-", "--db", db, stdin="id,name\n²,Ann\n")
    assert r.returncode == 1 and "unexpected" not in r.stderr, r.stderr
    assert "line 2: id: '²' is not a contact number" in r.stderr
    rules = tmp_path / "bank.rules"
    rules.write_text("skip ²\nfields date, description, amount\n", encoding="utf-8")
    csv = tmp_path / "bank.csv"
    csv.write_text("date,description,amount\n2026-11-02,Coffee,1.00\n", encoding="utf-8")
    r = bizdesk("bank", "import", str(csv), "--account", "1010", "--rules", str(rules), "--db", db)
    assert r.returncode == 1 and "unexpected" not in r.stderr, r.stderr
    assert "line 1: rules file: skip takes a number of lines" in r.stderr
