"""US sales tax: the state rate table (data) and the tax on a subtotal.

US prices are shown before sales tax (`Market.prices_include_tax` is False there); checkout adds the tax
of the state the order is shipped to, and the order keeps it in minor units (`Order.sales_tax_amount`)
with the state and rate applied. Markets whose prices include tax are unchanged.

Rates: the statewide base rate of each state and the District of Columbia, in percent.
Source: Tax Foundation, "State and Local Sales Tax Rates, 2024" (Table 1, "State Tax Rate"), rates in
effect on 1 January 2024 (https://taxfoundation.org/data/all/state/2024-sales-taxes/). Local (county,
city) rates are not added: Encore collects the state rate only; a rate change is a one-line edit here.
Five states levy no statewide sales tax (Alaska, Delaware, Montana, New Hampshire, Oregon): rate 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from marketplace.money import Money

RATES_SOURCE = "Tax Foundation, State and Local Sales Tax Rates, 2024 (state rates in effect on 1 January 2024)"
RATES_AS_OF = "2024-01-01"

# code: (name, statewide rate in percent)
STATE_RATES: dict[str, tuple[str, Decimal]] = {
    "AL": ("Alabama", Decimal("4.00")),
    "AK": ("Alaska", Decimal("0")),
    "AZ": ("Arizona", Decimal("5.60")),
    "AR": ("Arkansas", Decimal("6.50")),
    "CA": ("California", Decimal("7.25")),
    "CO": ("Colorado", Decimal("2.90")),
    "CT": ("Connecticut", Decimal("6.35")),
    "DE": ("Delaware", Decimal("0")),
    "DC": ("District of Columbia", Decimal("6.00")),
    "FL": ("Florida", Decimal("6.00")),
    "GA": ("Georgia", Decimal("4.00")),
    "HI": ("Hawaii", Decimal("4.00")),
    "ID": ("Idaho", Decimal("6.00")),
    "IL": ("Illinois", Decimal("6.25")),
    "IN": ("Indiana", Decimal("7.00")),
    "IA": ("Iowa", Decimal("6.00")),
    "KS": ("Kansas", Decimal("6.50")),
    "KY": ("Kentucky", Decimal("6.00")),
    "LA": ("Louisiana", Decimal("4.45")),
    "ME": ("Maine", Decimal("5.50")),
    "MD": ("Maryland", Decimal("6.00")),
    "MA": ("Massachusetts", Decimal("6.25")),
    "MI": ("Michigan", Decimal("6.00")),
    "MN": ("Minnesota", Decimal("6.875")),
    "MS": ("Mississippi", Decimal("7.00")),
    "MO": ("Missouri", Decimal("4.225")),
    "MT": ("Montana", Decimal("0")),
    "NE": ("Nebraska", Decimal("5.50")),
    "NV": ("Nevada", Decimal("6.85")),
    "NH": ("New Hampshire", Decimal("0")),
    "NJ": ("New Jersey", Decimal("6.625")),
    "NM": ("New Mexico", Decimal("4.875")),
    "NY": ("New York", Decimal("4.00")),
    "NC": ("North Carolina", Decimal("4.75")),
    "ND": ("North Dakota", Decimal("5.00")),
    "OH": ("Ohio", Decimal("5.75")),
    "OK": ("Oklahoma", Decimal("4.50")),
    "OR": ("Oregon", Decimal("0")),
    "PA": ("Pennsylvania", Decimal("6.00")),
    "RI": ("Rhode Island", Decimal("7.00")),
    "SC": ("South Carolina", Decimal("6.00")),
    "SD": ("South Dakota", Decimal("4.20")),
    "TN": ("Tennessee", Decimal("7.00")),
    "TX": ("Texas", Decimal("6.25")),
    "UT": ("Utah", Decimal("6.10")),
    "VT": ("Vermont", Decimal("6.00")),
    "VA": ("Virginia", Decimal("5.30")),
    "WA": ("Washington", Decimal("6.50")),
    "WV": ("West Virginia", Decimal("6.00")),
    "WI": ("Wisconsin", Decimal("5.00")),
    "WY": ("Wyoming", Decimal("4.00")),
}

STATE_CHOICES = [("", _("Choose a state"))] + [(code, name) for code, (name, _rate) in STATE_RATES.items()]


@dataclass(frozen=True)
class SalesTax:
    state: str
    rate: Decimal  # percent
    amount: Money


def normalise_state(value: str) -> str:
    return (value or "").strip().upper()


def is_state(value: str) -> bool:
    return normalise_state(value) in STATE_RATES


def sales_tax_for(subtotal: Money, state: str) -> SalesTax:
    """The state's sales tax on `subtotal` (before tax), rounded half up to the minor unit.
    Raises KeyError for a code that is not a state (validate with `is_state` first)."""
    code = normalise_state(state)
    rate = STATE_RATES[code][1]
    amount = int((Decimal(subtotal.amount) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return SalesTax(state=code, rate=rate, amount=Money(amount, subtotal.currency))
