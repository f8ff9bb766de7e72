from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Grade, Listing, Variant
from catalog.states import SELLER_SETTABLE, ListingStatus
from marketplace.api.fields import MoneyField
from marketplace.models import Market
from marketplace.money import Money


class ListingSerializer(serializers.ModelSerializer):
    """A seller's listing. `price` is all-in, in the market's currency (minor units)."""

    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all())
    grade = serializers.SlugRelatedField(slug_field="code", queryset=Grade.objects.all())
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.filter(is_active=True))
    price = MoneyField()
    status = serializers.ChoiceField(
        choices=ListingStatus.choices,
        default=ListingStatus.ACTIVE,
        help_text="draft, active or paused; paused_by_platform and deactivated are set by the platform only.",
    )
    product = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = (
            "id",
            "sku",
            "variant",
            "product",
            "grade",
            "market",
            "price",
            "stock",
            "battery_health",
            "warranty_months",
            "status",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "product", "created_at", "updated_at")
        extra_kwargs = {"warranty_months": {"min_value": 12, "default": 12}, "sku": {"validators": []}}

    @extend_schema_field(serializers.CharField())
    def get_product(self, listing: Listing) -> str:
        return str(listing.variant)

    def validate_status(self, value: str) -> str:
        if value not in SELLER_SETTABLE:
            raise serializers.ValidationError("Sellers set draft, active or paused.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        market = attrs.get("market") or (self.instance.market if self.instance else None)
        price: Money | None = attrs.get("price")
        if price is not None and market is not None and price.currency != market.currency:
            raise serializers.ValidationError({"price": f"Prices in market {market.code} are in {market.currency}."})
        if self.instance is not None:
            for name in ("variant", "market"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "Cannot change; create another listing."})
        return attrs

    def to_representation(self, instance: Listing) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["price"] = {"amount": instance.price_amount, "currency": instance.currency}
        return data


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    listings = serializers.ListField(child=serializers.IntegerField())


class ImportRowSerializer(serializers.Serializer):
    """A JSON import row: the listing fields, by reference (variant id, grade code, market code)."""

    sku = serializers.CharField(max_length=64)
    variant = serializers.IntegerField()
    grade = serializers.CharField(max_length=16)
    market = serializers.CharField(max_length=2)
    price = MoneyField()
    stock = serializers.IntegerField(min_value=0)
    battery_health = serializers.IntegerField(min_value=0, max_value=100)
    warranty_months = serializers.IntegerField(min_value=12, default=12)
    status = serializers.ChoiceField(choices=sorted(SELLER_SETTABLE), default=ListingStatus.ACTIVE)


class PerformanceMetricSerializer(serializers.Serializer):
    """One metric of the score: rates are fractions (0.034), the rating is in stars, the answer time in hours."""

    code = serializers.ChoiceField(
        choices=[
            "defect_rate",
            "cancellation_rate",
            "late_shipment_rate",
            "average_rating",
            "claim_answer_hours",
            "mystery_order_findings",
        ]
    )
    value = serializers.FloatField(allow_null=True, help_text="null: no data in the window (left out of the score).")
    weight = serializers.IntegerField(help_text="Points out of the weights' sum (100).")
    threshold = serializers.FloatField(help_text="The value at which the metric earns its whole weight.")


class PerformanceHistoryPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    score = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)


class PerformanceSerializer(serializers.Serializer):
    """The seller's performance over the rolling window (API.md)."""

    score = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=100, help_text="0-100; null while the seller is new."
    )
    status = serializers.ChoiceField(
        choices=["new", "scored"], help_text="`new`: fewer units delivered in the window than the minimum sample."
    )
    metrics = PerformanceMetricSerializer(many=True)
    window_days = serializers.IntegerField()
    step = serializers.ChoiceField(
        choices=["none", "warning", "cap", "suspended"], help_text="The sanctions ladder's step."
    )
    history = PerformanceHistoryPointSerializer(many=True, help_text="The daily scores over the window, oldest first.")
