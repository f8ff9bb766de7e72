"""Money as integer minor units plus an ISO 4217 code. No floats anywhere near money.

`Money` is a frozen value object: it refuses to mix currencies, knows each
currency's exponent (JPY has none) and formats for a locale. Rounding of
percentages (commission, VAT) happens in one function, `percentage_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

# ISO 4217 minor-unit exponents of the currencies Encore's markets use (and a few neighbours).
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "GBP": 2,
    "USD": 2,
    "JPY": 0,
    "CHF": 2,
    "SEK": 2,
    "PLN": 2,
    "DKK": 2,
}
CURRENCY_SYMBOLS: dict[str, str] = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥"}


class CurrencyMismatchError(ValueError):
    """Raised when two amounts in different currencies are combined."""


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise ValueError(f"Unknown currency {currency!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount is an integer number of minor units")
        exponent(self.currency)

    # --- construction -------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str, currency: str) -> Money:
        """Parse a major-unit amount ("129.99") exactly; refuses more decimals than the currency has."""
        quantum = Decimal(1).scaleb(-exponent(currency))
        decimal_value = Decimal(value)
        if decimal_value != decimal_value.quantize(quantum):
            raise ValueError(f"{value} has more decimals than {currency} allows")
        return cls(int(decimal_value.scaleb(exponent(currency))), currency)

    # --- arithmetic ---------------------------------------------------------
    def _check(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise TypeError("Money combines only with Money")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"Cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._check(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._check(other).amount, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise TypeError("Money multiplies by a whole quantity; use percentage_of for rates")
        return Money(self.amount * quantity, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._check(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._check(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._check(other).amount

    def __bool__(self) -> bool:
        return self.amount != 0

    # --- views --------------------------------------------------------------
    @property
    def decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def as_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}

    def format(self, locale: str = "en") -> str:
        """Format for display: `€129.99` (en), `129,99 €` (de/fr), `¥12,800` (en, JPY)."""
        digits = exponent(self.currency)
        value = abs(self.decimal)
        text = f"{value:,.{digits}f}"
        language = locale.split("-")[0].lower()
        if language in {"de", "fr", "es", "it"}:
            group = "\u202f" if language == "fr" else "."
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", group)
        symbol = CURRENCY_SYMBOLS.get(self.currency, self.currency)
        sign = "-" if self.amount < 0 else ""
        if language in {"de", "fr", "es", "it"}:
            return f"{sign}{text}\u00a0{symbol}"
        return f"{sign}{symbol}{text}"

    def __str__(self) -> str:
        return self.format("en")


def percentage_of(money: Money, basis_points: int, *, rounding: str = ROUND_HALF_UP) -> Money:
    """`basis_points`/10000 of `money`, rounded once to the currency's minor unit (half up by default).

    The one place where a rate is applied to money: commission and VAT both go through here.
    """
    raw = Decimal(money.amount) * Decimal(basis_points) / Decimal(10_000)
    return Money(int(raw.quantize(Decimal(1), rounding=rounding)), money.currency)


def vat_included_in(gross: Money, vat_rate_basis_points: int) -> Money:
    """The VAT contained in an all-in (VAT-included) price, rounded half-even."""
    raw = Decimal(gross.amount) * Decimal(vat_rate_basis_points) / Decimal(10_000 + vat_rate_basis_points)
    return Money(int(raw.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), gross.currency)
