"""Serializer fields shared by every app's API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.money import CURRENCY_EXPONENTS, Money

MONEY_SCHEMA = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {
        "amount": {"type": "integer", "description": "Minor units (cents; yen for JPY)."},
        "currency": {"type": "string", "enum": sorted(CURRENCY_EXPONENTS), "description": "ISO 4217 code."},
    },
}


@extend_schema_field(MONEY_SCHEMA)
class MoneyField(serializers.Field[Money, dict[str, Any], dict[str, Any], Any]):
    """`{"amount": 12999, "currency": "EUR"}` <-> `Money`."""

    default_error_messages = {
        "invalid": 'Expected an object with "amount" (integer minor units) and "currency" (ISO 4217 code).',
    }

    def to_representation(self, value: Money) -> dict[str, Any]:
        return value.as_dict()

    def to_internal_value(self, data: Any) -> Money:
        if not isinstance(data, dict) or set(data) != {"amount", "currency"}:
            self.fail("invalid")
        amount, currency = data["amount"], data["currency"]
        if isinstance(amount, bool) or not isinstance(amount, int) or currency not in CURRENCY_EXPONENTS:
            self.fail("invalid")
        return Money(amount, currency)
