"""A new shop's first day at the command line (no demo data): where a new owner got stuck."""

from __future__ import annotations

from tests.test_cli import bizdesk, db  # noqa: F401  (the fixture)


def test_shop_set_names_the_key_typed_in_its_refusal(db) -> None:  # noqa: ANN001, F811
    """`shop set vat-rate 2O` was refused as "vat_rate: ...", a name the owner never typed
    (`shop show` lists it as vat-rate). ("20%" is taken now: money.parse_percent.)"""
    r = bizdesk("shop", "set", "vat-rate", "2O", "--db", db)
    assert r.returncode == 1
    assert r.stderr.startswith("vat-rate: '2O' is not a number"), r.stderr
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


def test_init_on_a_chart_without_vat_rates_says_to_set_one(tmp_path) -> None:  # noqa: ANN001
    """`init --locale en_GB` (the generic chart) said only "Set up ...": every product then
    went in at 0 % VAT until the owner found `shop set vat-rate` in the README."""
    r = bizdesk("init", "--db", str(tmp_path / "a.db"), "--company", "Corner Bikes")
    assert r.returncode == 0, r.stderr
    assert "names no VAT rate" in r.stdout and "bizdesk shop set vat-rate 20" in r.stdout
    r = bizdesk("init", "--db", str(tmp_path / "b.db"), "--locale", "es_ES")
    assert r.returncode == 0 and "VAT rate" not in r.stdout, r.stdout  # its chart names 21 %
    # the shop's details, which an invoice keeps as issued: set before the first one
    assert "Documents carry the shop's address" in r.stdout and "bizdesk shop set" in r.stdout


def test_init_says_the_shops_day_follows_the_server_until_its_zone_is_known(tmp_path) -> None:  # noqa: ANN001
    """`init --locale ro_RO` left the shop's country and time zone empty and said nothing:
    the date on its documents followed the server's clock (UTC on many servers: at 01:00
    in Bucharest, yesterday). init says so and how to set it; for a locale whose country
    has one time zone, setting the country is enough."""
    path = str(tmp_path / "ro.db")
    r = bizdesk("init", "--db", path, "--locale", "ro_RO")
    assert r.returncode == 0, r.stderr
    assert "follows this server's clock" in r.stdout and "shop set country RO" in r.stdout
    assert bizdesk("shop", "set", "country", "RO", "--db", path).returncode == 0
    shown = bizdesk("shop", "show", "--db", path).stdout
    assert "Europe/Bucharest" in shown, shown  # the country's one zone, as said
    r = bizdesk("init", "--db", str(tmp_path / "es.db"), "--locale", "es_ES")
    assert "shop set timezone Europe/Madrid" in r.stdout, r.stdout  # Spain has three
