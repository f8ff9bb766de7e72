"""Order API shapes: seller orders (seller keys) and partner orders (partner keys)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.api.fields import MoneyField
from orders.models import Order, OrderLine, SellerOrder
from orders.states import SellerOrderStatus


class UnitSerializer(serializers.Serializer):
    identifier = serializers.CharField(read_only=True)
    identifier_kind = serializers.CharField(read_only=True)
    warranty_ends_on = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_warranty_ends_on(self, unit: Any) -> str | None:
        warranty = getattr(unit, "warranty", None)
        return warranty.ends_on.isoformat() if warranty else None


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    unit_price = MoneyField(read_only=True)
    total = MoneyField(read_only=True)
    listing = serializers.IntegerField(source="listing_id", read_only=True, allow_null=True)
    grade = serializers.CharField(source="grade_code", read_only=True)
    units = UnitSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = (
            "id",
            "listing",
            "sku",
            "product_name",
            "variant_label",
            "grade",
            "quantity",
            "unit_price",
            "total",
            "warranty_months",
            "units",
        )
        read_only_fields = fields


class ShipToSerializer(serializers.Serializer):
    full_name = serializers.CharField(read_only=True)
    address_line = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)


class SellerOrderSerializer(serializers.ModelSerializer[SellerOrder]):
    order = serializers.CharField(source="order.number", read_only=True)
    market = serializers.CharField(source="order.market_id", read_only=True)
    subtotal = MoneyField(read_only=True)
    commission = MoneyField(read_only=True)
    late = serializers.SerializerMethodField()
    ship_to = ShipToSerializer(source="order", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = SellerOrder
        fields = (
            "id",
            "order",
            "market",
            "status",
            "subtotal",
            "commission",
            "paid_at",
            "ship_by",
            "late",
            "accepted_at",
            "shipped_at",
            "delivered_at",
            "carrier",
            "tracking_number",
            "ship_to",
            "lines",
        )
        read_only_fields = fields

    def get_late(self, seller_order: SellerOrder) -> bool:
        return seller_order.is_late()


class ShipUnitSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Order line id.")
    identifier = serializers.CharField(max_length=32, help_text="IMEI (15 digits, Luhn) or serial number.")


class ShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=60)
    tracking_number = serializers.CharField(max_length=60)
    units = ShipUnitSerializer(
        many=True, help_text="One IMEI or serial per unit shipped (required: it ties the unit to its warranty)."
    )


class DeliverSerializer(serializers.Serializer):
    delivered_at = serializers.DateTimeField(required=False, help_text="The carrier's delivery scan time.")


class PartnerLineSerializer(serializers.Serializer):
    listing = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=100)


class CustomerSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address_line = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2, min_length=2)


class PartnerOrderCreateSerializer(serializers.Serializer):
    market = serializers.CharField(max_length=2)
    lines = PartnerLineSerializer(many=True, allow_empty=False, max_length=50)
    customer = CustomerSerializer()
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Your own reference."
    )


class PartnerSellerOrderSerializer(serializers.ModelSerializer[SellerOrder]):
    seller = serializers.CharField(source="seller.name", read_only=True)
    subtotal = MoneyField(read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = SellerOrder
        fields = (
            "id",
            "seller",
            "status",
            "subtotal",
            "carrier",
            "tracking_number",
            "shipped_at",
            "delivered_at",
            "lines",
        )
        read_only_fields = fields


class PartnerOrderSerializer(serializers.ModelSerializer[Order]):
    market = serializers.CharField(source="market_id", read_only=True)
    total = MoneyField(read_only=True)
    vat = MoneyField(read_only=True)
    reference = serializers.CharField(source="partner_reference", read_only=True)
    customer = serializers.SerializerMethodField()
    seller_orders = PartnerSellerOrderSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = (
            "id",
            "number",
            "reference",
            "market",
            "status",
            "total",
            "vat",
            "created_at",
            "paid_at",
            "customer",
            "seller_orders",
        )
        read_only_fields = fields

    @extend_schema_field(CustomerSerializer)
    def get_customer(self, order: Order) -> dict[str, Any]:
        return {
            "full_name": order.full_name,
            "email": order.email,
            "phone": order.phone,
            "address_line": order.address_line,
            "postal_code": order.postal_code,
            "city": order.city,
            "country": order.country,
        }


STATUS_CHOICES = [value for value in SellerOrderStatus.values if value != SellerOrderStatus.PENDING_PAYMENT]
