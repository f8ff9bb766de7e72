"""Seller orders (`/api/v1/seller/orders/`) and partner orders (`/api/v1/orders/`: list, place, get)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.selectors.reference import markets_active
from marketplace.api.endpoints import PartnerEndpoint, SellerEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Scope
from orders import selectors
from orders.api.serializers import (
    STATUS_CHOICES,
    DeliverSerializer,
    PartnerOrderCreateSerializer,
    PartnerOrderSerializer,
    SellerOrderSerializer,
    ShipSerializer,
)
from orders.models import Order, OrderLine, SellerOrder
from orders.services import fulfilment
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.states import OrderStatus


class SellerOrderEndpoint(SellerEndpoint):
    """The acting seller's orders: a foreign or missing id is 404."""

    def seller_order(self, pk: int) -> SellerOrder:
        return selectors.seller_order_get(seller=self.organisation, id=pk)

    def respond(self, seller_order: SellerOrder) -> Response:
        return Response(SellerOrderSerializer(self.seller_order(seller_order.pk)).data)


@extend_schema_view(
    get=extend_schema(
        summary="List the seller's orders",
        tags=["seller orders"],
        parameters=[OpenApiParameter("status", str, enum=STATUS_CHOICES, description="Only orders in this status.")],
    )
)
class SellerOrderList(SellerOrderEndpoint, generics.ListAPIView):
    """The seller's orders, newest first (orders awaiting payment are not shown)."""

    serializer_class = SellerOrderSerializer
    required_scopes: ClassVar = {"GET": Scope.ORDERS_READ}
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[SellerOrder]:
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in STATUS_CHOICES:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                f"Unknown status {wanted!r}.",
                errors=[{"field": "status", "message": f"One of {', '.join(STATUS_CHOICES)}."}],
            )
        return selectors.seller_order_list(seller=self.organisation, status=wanted)


@extend_schema_view(get=extend_schema(summary="Get one of the seller's orders", tags=["seller orders"]))
class SellerOrderDetail(SellerOrderEndpoint, generics.RetrieveAPIView):
    serializer_class = SellerOrderSerializer
    required_scopes: ClassVar = {"GET": Scope.ORDERS_READ}

    def get_object(self) -> SellerOrder:
        return self.seller_order(self.kwargs["pk"])


class SellerOrderAccept(SellerOrderEndpoint):
    required_scopes: ClassVar = {"POST": Scope.ORDERS_WRITE}

    @extend_schema(summary="Accept a paid order", tags=["seller orders"], request=None, responses=SellerOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        seller_order = fulfilment.seller_order_accept(seller_order=self.seller_order(pk), actor=self.actor)
        return self.respond(seller_order)


class SellerOrderShip(SellerOrderEndpoint):
    required_scopes: ClassVar = {"POST": Scope.ORDERS_WRITE}

    @extend_schema(
        summary="Ship an accepted order",
        description="Carrier, tracking number and one IMEI (Luhn-checked) or serial per unit. "
        "A unit on the blocklist of reported-stolen devices is refused (422, device-blocklisted).",
        tags=["seller orders"],
        request=ShipSerializer,
        responses=SellerOrderSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        seller_order = self.seller_order(pk)
        serializer = ShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        units: dict[int, list[str]] = defaultdict(list)
        for unit in serializer.validated_data["units"]:
            units[unit["line"]].append(unit["identifier"])
        known = set(OrderLine.objects.filter(seller_order=seller_order).values_list("pk", flat=True))
        unknown = sorted(set(units) - known)
        if unknown:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                "Unknown order line.",
                errors=[{"field": "units.line", "message": f"Line {line} is not in this order."} for line in unknown],
            )
        seller_order = fulfilment.seller_order_ship(
            seller_order=seller_order,
            actor=self.actor,
            carrier=serializer.validated_data["carrier"],
            tracking_number=serializer.validated_data["tracking_number"],
            units=units,
        )
        return self.respond(seller_order)


class SellerOrderDeliver(SellerOrderEndpoint):
    required_scopes: ClassVar = {"POST": Scope.ORDERS_WRITE}

    @extend_schema(
        summary="Record delivery (carrier tracking update)",
        description="Marks a shipped order delivered; each unit's warranty starts on the delivery date.",
        tags=["seller orders"],
        request=DeliverSerializer,
        responses=SellerOrderSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        seller_order = self.seller_order(pk)
        serializer = DeliverSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        seller_order = fulfilment.seller_order_mark_delivered(
            seller_order=seller_order, actor=self.actor, delivered_at=serializer.validated_data.get("delivered_at")
        )
        return self.respond(seller_order)


@extend_schema_view(
    get=extend_schema(
        summary="List the partner's orders, newest first",
        tags=["partner orders"],
        parameters=[
            OpenApiParameter("status", str, enum=OrderStatus.values, description="Only orders in this status."),
            OpenApiParameter(
                "created_after",
                OpenApiTypes.DATETIME,
                description="Only orders placed after this time (ISO 8601; without an offset, UTC).",
            ),
        ],
    )
)
class PartnerOrderList(PartnerEndpoint, generics.ListAPIView[Order]):
    """The partner's own orders (GET); place an order for a customer, paid on the partner's invoice (POST)."""

    required_scopes: ClassVar = {"GET": Scope.ORDERS_READ, "POST": Scope.ORDERS_WRITE}
    serializer_class = PartnerOrderSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[Order]:
        params = self.request.query_params
        queryset = selectors.partner_order_list(partner=self.organisation)
        wanted = params.get("status") or None
        if wanted is not None:
            if wanted not in OrderStatus.values:
                raise ApplicationError(
                    ErrorCode.VALIDATION,
                    f"Unknown status {wanted!r}.",
                    errors=[{"field": "status", "message": f"One of {', '.join(OrderStatus.values)}."}],
                )
            queryset = queryset.filter(status=wanted)
        after = params.get("created_after") or None
        if after is not None:
            try:
                moment = parse_datetime(after.replace(" ", "+"))  # a "+" left unencoded in a query string
            except ValueError:  # well formed, but not a real time (month 13)
                moment = None
            if moment is None:
                raise ApplicationError(
                    ErrorCode.VALIDATION,
                    "created_after is not an ISO 8601 time.",
                    errors=[{"field": "created_after", "message": "An ISO 8601 time, e.g. 2026-11-01T00:00:00Z."}],
                )
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
            try:
                moment = moment.astimezone(UTC)  # PostgreSQL takes offsets up to 15:59 only: send UTC
            except OverflowError:  # year 1 at +14:00 is before the first representable moment
                moment = datetime.min.replace(tzinfo=UTC)
            queryset = queryset.filter(created_at__gt=moment)
        return queryset

    @extend_schema(
        summary="Place an order for a customer",
        tags=["partner orders"],
        request=PartnerOrderCreateSerializer,
        responses={201: PartnerOrderSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = PartnerOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        market = next((m for m in markets_active() if m.code == data["market"].lower()), None)
        if market is None:
            raise ApplicationError(
                ErrorCode.VALIDATION, "Unknown market.", errors=[{"field": "market", "message": "Unknown market."}]
            )
        partner = self.require_organisation()
        order = order_place(
            actor=self.actor,
            market=market,
            lines=[PlacementLine(line["listing"], line["quantity"]) for line in data["lines"]],
            contact=Contact(**data["customer"]),
            partner=partner,
            partner_reference=data["reference"],
        )
        # The order as placed, its seller orders and lines attached by `order_place`: nothing read back.
        return Response(PartnerOrderSerializer(order).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary="Get one of the partner's orders", tags=["partner orders"]))
class PartnerOrderDetail(PartnerEndpoint, generics.RetrieveAPIView):
    required_scopes: ClassVar = {"GET": Scope.ORDERS_READ}
    serializer_class = PartnerOrderSerializer

    def get_object(self) -> Any:
        return selectors.partner_order_get(partner=self.organisation, id=self.kwargs["pk"])
