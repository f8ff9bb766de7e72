from decimal import Decimal

import pytest

from marketplace.money import CurrencyMismatchError, Money, percentage_of, vat_included_in


def test_adds_and_subtracts_in_one_currency():
    assert Money(12999, "EUR") + Money(1, "EUR") == Money(13000, "EUR")
    assert Money(500, "GBP") - Money(700, "GBP") == Money(-200, "GBP")
    assert Money(12999, "EUR") * 3 == Money(38997, "EUR")
    assert 2 * Money(100, "USD") == Money(200, "USD")


def test_refuses_to_mix_currencies():
    with pytest.raises(CurrencyMismatchError):
        Money(100, "EUR") + Money(100, "GBP")
    with pytest.raises(CurrencyMismatchError):
        _ = Money(100, "EUR") < Money(100, "USD")


def test_refuses_floats_and_unknown_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100, "EUR") * 1.1  # type: ignore[operator]
    with pytest.raises(ValueError, match="Unknown currency"):
        Money(100, "XXX")


def test_jpy_has_no_minor_unit():
    assert Money.from_decimal("12800", "JPY") == Money(12800, "JPY")
    assert Money(12800, "JPY").decimal == Decimal("12800")
    with pytest.raises(ValueError, match="more decimals"):
        Money.from_decimal("12800.5", "JPY")
    assert Money(12800, "JPY").format("en") == "¥12,800"


def test_parses_major_units_exactly():
    assert Money.from_decimal("129.99", "EUR") == Money(12999, "EUR")
    with pytest.raises(ValueError, match="more decimals"):
        Money.from_decimal("129.999", "EUR")


def test_formats_per_locale():
    assert Money(129999, "EUR").format("en") == "€1,299.99"
    assert Money(129999, "EUR").format("de") == "1.299,99\u00a0€"
    assert Money(129999, "EUR").format("fr") == "1\u202f299,99\u00a0€"
    assert Money(-500, "GBP").format("en") == "-£5.00"
    assert str(Money(4999, "USD")) == "$49.99"


def test_percentage_rounds_once_half_up():
    assert percentage_of(Money(12999, "EUR"), 1000) == Money(1300, "EUR")  # 1299.9 -> 1300
    assert percentage_of(Money(105, "EUR"), 1000) == Money(11, "EUR")  # 10.5 -> 11
    assert percentage_of(Money(12345, "JPY"), 1000) == Money(1235, "JPY")  # 1234.5 -> 1235


def test_vat_included_in_an_all_in_price():
    assert vat_included_in(Money(12000, "EUR"), 2000) == Money(2000, "EUR")
    assert vat_included_in(Money(11000, "JPY"), 1000) == Money(1000, "JPY")
    assert vat_included_in(Money(4999, "USD"), 0) == Money(0, "USD")


def test_serialises_as_api_money():
    assert Money(12999, "EUR").as_dict() == {"amount": 12999, "currency": "EUR"}
