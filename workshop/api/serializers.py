"""The units API's shapes (API.md, Seller: units in refurbishment)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Grade, Variant
from marketplace.api.fields import MoneyField
from marketplace.models import Market
from workshop.models import Technician, Unit, UnitPhoto
from workshop.selectors import check_items_for
from workshop.states import SELLER_MOVES, Cosmetic, UnitSource, UnitStatus, WorkKind


class WorkshopUnitSerializer(serializers.ModelSerializer):
    """A unit as the seller sees it. Money in minor units of the seller's workshop currency; `cost` is the
    purchase cost, `total_cost` adds the parts and the labour."""

    reference = serializers.CharField(read_only=True, help_text="U-<id>, as the back-office shows it.")
    variant = serializers.PrimaryKeyRelatedField(read_only=True)
    product = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    cost = serializers.SerializerMethodField()
    parts_cost = serializers.SerializerMethodField()
    labour_cost = serializers.SerializerMethodField()
    total_cost = serializers.SerializerMethodField()
    # Empty until the unit's first quality check, its listing, an assignment, for a unit not from trade-in.
    screen = serializers.ChoiceField(choices=Cosmetic.choices, allow_blank=True, read_only=True)
    body = serializers.ChoiceField(choices=Cosmetic.choices, allow_blank=True, read_only=True)
    suggested_grade = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    listing = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    technician = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    tradein = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = (
            "id",
            "reference",
            "identifier",
            "identifier_kind",
            "variant",
            "product",
            "category",
            "source",
            "status",
            "allowed_moves",
            "cost",
            "parts_cost",
            "labour_minutes",
            "labour_cost",
            "total_cost",
            "battery_health",
            "screen",
            "body",
            "suggested_grade",
            "listing",
            "technician",
            "tradein",
            "notes",
            "received_at",
            "status_changed_at",
            "due_at",
            "overdue",
            "listed_at",
            "sold_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_product(self, unit: Unit) -> str:
        return str(unit.variant)

    @extend_schema_field(serializers.CharField())
    def get_category(self, unit: Unit) -> str:
        return unit.variant.product.category.slug

    @extend_schema_field(MoneyField())
    def get_cost(self, unit: Unit) -> dict[str, Any]:
        return unit.purchase_cost.as_dict()

    @extend_schema_field(MoneyField())
    def get_parts_cost(self, unit: Unit) -> dict[str, Any]:
        return unit.parts_cost.as_dict()

    @extend_schema_field(MoneyField())
    def get_labour_cost(self, unit: Unit) -> dict[str, Any]:
        return unit.labour_cost.as_dict()

    @extend_schema_field(MoneyField())
    def get_total_cost(self, unit: Unit) -> dict[str, Any]:
        return unit.total_cost.as_dict()

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, unit: Unit) -> bool:
        return unit.is_overdue()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=UnitStatus.choices)))
    def get_allowed_moves(self, unit: Unit) -> list[str]:
        """The statuses `POST .../transition/` accepts now (listing and selling have their own doors)."""
        return sorted(SELLER_MOVES.get(unit.status, frozenset()))


class CheckItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class UnitPhotoSerializer(serializers.ModelSerializer):
    """A photo taken during the unit's diagnosis or repair, stored privately: `url` answers its bytes
    (`GET /api/v1/seller/units/{id}/photos/{photo_id}/`, the same key and scope as the unit)."""

    content_type = serializers.CharField(read_only=True, help_text="image/jpeg, image/png or image/heic.")
    size = serializers.IntegerField(read_only=True, help_text="Bytes.")
    created_at = serializers.DateTimeField(read_only=True, help_text="When the photo was recorded with its work.")
    work = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The id of the diagnosis or repair entry it was recorded with."
    )
    work_kind = serializers.ChoiceField(
        source="work.kind", choices=WorkKind.choices, read_only=True, allow_null=True, help_text="That entry's kind."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = UnitPhoto
        fields = ("id", "content_type", "size", "created_at", "work", "work_kind", "url")
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(help_text="The photo's bytes, with its content type."))
    def get_url(self, photo: UnitPhoto) -> str:
        path = reverse("api-seller-unit-photo", kwargs={"pk": photo.unit_id, "photo_id": photo.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class UnitDetailSerializer(WorkshopUnitSerializer):
    """A unit with its category's quality check items (the codes `.../quality-check/` takes) and the photos
    of its work, oldest first (read the unit with `unit_photos_prefetch()`: one query for all of them)."""

    check_items = serializers.SerializerMethodField()
    photos = UnitPhotoSerializer(many=True, read_only=True)

    class Meta(WorkshopUnitSerializer.Meta):
        fields = (*WorkshopUnitSerializer.Meta.fields, "check_items", "photos")
        read_only_fields = fields

    @extend_schema_field(CheckItemSerializer(many=True))
    def get_check_items(self, unit: Unit) -> list[dict[str, Any]]:
        return CheckItemSerializer(check_items_for(unit.variant.product.category), many=True).data  # type: ignore[return-value]


class UnitCreateSerializer(serializers.Serializer):
    """A device taken in by hand: `cost` is the purchase cost in the seller's workshop currency."""

    identifier = serializers.CharField(max_length=40, help_text="IMEI (15 digits, Luhn-checked) or serial number.")
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all())
    source = serializers.ChoiceField(choices=UnitSource.choices, default=UnitSource.PURCHASE)
    cost = MoneyField(required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    technician = serializers.IntegerField(required=False, allow_null=True, help_text="One of your technicians' ids.")


class UnitPatchSerializer(serializers.Serializer):
    """The fields a seller may correct (identifier and variant until the unit is listed)."""

    identifier = serializers.CharField(max_length=40, required=False)
    variant = serializers.PrimaryKeyRelatedField(queryset=Variant.objects.all(), required=False)
    cost = MoneyField(required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    technician = serializers.IntegerField(required=False, allow_null=True, help_text="null: unassigned.")


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=UnitStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UnitListingSerializer(serializers.Serializer):
    """The listing step: `grade` the suggested one or lower; `warranty_months` defaults to the seller's."""

    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.filter(is_active=True))
    grade = serializers.SlugRelatedField(slug_field="code", queryset=Grade.objects.all())
    price = MoneyField()
    warranty_months = serializers.IntegerField(min_value=12, max_value=120, required=False)
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        market, price = attrs["market"], attrs["price"]
        if price.currency != market.currency:
            raise serializers.ValidationError({"price": f"Prices in market {market.code} are in {market.currency}."})
        return attrs


class QualityCheckSerializer(serializers.Serializer):
    """The category's test list, item by item (`GET` the unit's `check_items`), and the findings."""

    results = serializers.DictField(
        child=serializers.BooleanField(), help_text='{"<item code>": true (passed) | false (failed)} for every item.'
    )
    screen = serializers.ChoiceField(choices=Cosmetic.choices)
    body = serializers.ChoiceField(choices=Cosmetic.choices)
    battery_health = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class QualityCheckResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    suggested_grade = serializers.CharField(allow_null=True)
    failed = serializers.ListField(child=serializers.CharField())
    unit = WorkshopUnitSerializer()


class UnitImportRowSerializer(serializers.Serializer):
    """A JSON import row: `cost` as money in the seller's currency (CSV: major units)."""

    identifier = serializers.CharField(max_length=40)
    variant = serializers.IntegerField()
    cost = MoneyField(required=False)
    source = serializers.ChoiceField(choices=UnitSource.choices, default=UnitSource.PURCHASE)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class UnitImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    units = serializers.ListField(child=serializers.IntegerField())


def technician_of(seller_id: int, technician_id: int | None) -> Technician | None:
    """The seller's technician by id (None for None); another seller's id is a field error."""
    if technician_id is None:
        return None
    technician = Technician.objects.filter(seller_id=seller_id, pk=technician_id).first()
    if technician is None:
        raise serializers.ValidationError({"technician": "Not one of your technicians."})
    return technician
