"""Catalog API shapes (API.md, Catalog). Money is `{"amount", "currency"}` in minor units."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Category, Grade, Listing, Product, Variant
from marketplace.api.fields import MONEY_SCHEMA, MoneyField


class CategorySerializer(serializers.ModelSerializer[Category]):
    name = serializers.CharField(source="display_name", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # null: top level
    co2e_avoided_grams = serializers.IntegerField(
        read_only=True, help_text="CO2e avoided per unit and year of use, refurbished vs new (g)."
    )

    class Meta:
        model = Category
        fields = ("slug", "name", "parent", "co2e_avoided_grams", "ewaste_avoided_grams", "co2e_source")
        read_only_fields = fields


class GradeSerializer(serializers.ModelSerializer[Grade]):
    name = serializers.CharField(source="display_name", read_only=True)
    criteria = serializers.CharField(source="display_criteria", read_only=True)

    class Meta:
        model = Grade
        fields = ("code", "name", "rank", "criteria", "battery_floor")
        read_only_fields = fields


class VariantSerializer(serializers.ModelSerializer[Variant]):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Variant
        fields = ("id", "label", "storage_gb", "ram_gb", "colour", "connectivity", "attributes")
        read_only_fields = fields


class SellerSummarySerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)


class OfferSerializer(serializers.ModelSerializer[Listing]):
    """A visible listing as shoppers and partners see it (price all-in)."""

    price = MoneyField(read_only=True)
    seller = SellerSummarySerializer(read_only=True)
    grade = serializers.CharField(source="grade_id", read_only=True)
    market = serializers.CharField(source="market_id", read_only=True)
    variant = serializers.IntegerField(source="variant_id", read_only=True)
    featured = serializers.SerializerMethodField(help_text="Holds the buy box of its variant, grade and market.")

    class Meta:
        model = Listing
        fields = (
            "id",
            "variant",
            "grade",
            "market",
            "price",
            "seller",
            "battery_health",
            "warranty_months",
            "stock",
            "featured",
        )
        read_only_fields = fields

    def get_featured(self, listing: Listing) -> bool:
        return listing.pk in self.context.get("featured_ids", set())


@extend_schema_field({**MONEY_SCHEMA, "nullable": True})
class OptionalMoneyField(MoneyField):
    pass


class ProductSerializer(serializers.ModelSerializer[Product]):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    from_price = serializers.SerializerMethodField(
        help_text="Lowest visible all-in price in the requested market (null without ?market= or without offers)."
    )

    class Meta:
        model = Product
        fields = ("slug", "name", "series", "brand", "brand_name", "category", "release_year", "image", "from_price")
        read_only_fields = fields

    @extend_schema_field({**MONEY_SCHEMA, "nullable": True})
    def get_from_price(self, product: Product) -> dict[str, Any] | None:
        amount = getattr(product, "from_price_amount", None)
        currency = self.context.get("currency")
        if amount is None or currency is None:
            return None
        return {"amount": amount, "currency": currency}


class BuyBoxSerializer(serializers.Serializer):
    grade = serializers.CharField(read_only=True)
    lowest_price = OptionalMoneyField(read_only=True, allow_null=True)
    offers = serializers.IntegerField(read_only=True)
    featured_offer = OfferSerializer(read_only=True, allow_null=True)


class ProductDetailSerializer(ProductSerializer):
    specs = serializers.JSONField(read_only=True)
    variants = VariantSerializer(many=True, read_only=True)
    market = serializers.SerializerMethodField()
    selected_variant = serializers.SerializerMethodField()
    new_price = serializers.SerializerMethodField(help_text="The price new at launch, labelled as such.")
    buy_box = serializers.SerializerMethodField(help_text="Per grade, for the selected variant in the market.")

    class Meta(ProductSerializer.Meta):
        fields = (
            *ProductSerializer.Meta.fields,
            "specs",
            "variants",
            "market",
            "selected_variant",
            "new_price",
            "buy_box",
        )
        read_only_fields = fields

    def get_market(self, product: Product) -> str:
        return self.context["page"].market_code

    def get_selected_variant(self, product: Product) -> int | None:
        variant = self.context["page"].page.variant
        return variant.pk if variant else None

    @extend_schema_field({**MONEY_SCHEMA, "nullable": True})
    def get_new_price(self, product: Product) -> dict[str, Any] | None:
        price = self.context["page"].page.launch_price
        return price.as_dict() if price else None

    @extend_schema_field(BuyBoxSerializer(many=True))
    def get_buy_box(self, product: Product) -> list[dict[str, Any]]:
        page = self.context["page"].page
        featured_ids = {row.featured.pk for row in page.grade_rows if row.featured}
        return [
            {
                "grade": row.grade.code,
                "lowest_price": row.lowest.as_dict() if row.lowest else None,
                "offers": row.offers,
                "featured_offer": OfferSerializer(row.featured, context={"featured_ids": featured_ids}).data
                if row.featured
                else None,
            }
            for row in page.grade_rows
        ]
