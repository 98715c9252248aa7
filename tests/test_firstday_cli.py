"""A new shop's first day at the command line (no demo data): where a new owner got stuck."""

from __future__ import annotations

from tests.test_cli import bizdesk, db  # noqa: F401  (the fixture)


def test_shop_set_names_the_key_typed_in_its_refusal(db) -> None:  # noqa: ANN001, F811
    """`shop set vat-rate 20%` was refused as "vat_rate: ...", a name the owner never typed
    (`shop show` lists it as vat-rate)."""
    r = bizdesk("shop", "set", "vat-rate", "20%", "--db", db)
    assert r.returncode == 1
    assert r.stderr.startswith("vat-rate: '20%' is not a number"), r.stderr
    assert "vat_rate" not in r.stderr
    r = bizdesk("shop", "set", "VAT-ID", "XX", "--db", db)
    assert r.returncode == 1 and r.stderr.startswith("vat-id: "), r.stderr
    r = bizdesk("shop", "set", "name", "", "--db", db)  # never NAME, an argument's word
    assert r.returncode == 1 and r.stderr.startswith("name: required"), r.stderr


def test_terms_refusal_names_which_option(db) -> None:  # noqa: ANN001, F811
    """`terms --customers "net 30 days" --suppliers "30 days"` said "terms: write net 30
    days ...": which of the two? It names the option, and nothing is set."""
    r = bizdesk("terms", "--customers", "net 30 days", "--suppliers", "30 days", "--db", db)
    assert r.returncode == 1
    assert r.stderr.startswith("--suppliers: write net 30 days"), r.stderr
    r = bizdesk("terms", "--customers", "30", "--db", db)
    assert r.returncode == 1 and r.stderr.startswith("--customers: "), r.stderr
    shown = bizdesk("terms", "--db", db)
    assert "Customers: net 14 days" in shown.stdout, shown.stdout
