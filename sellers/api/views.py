"""Seller API: /api/v1/seller/listings/ (list, create, retrieve, update, delete) and the bulk import."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, parsers, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Listing
from catalog.services.listings import listing_deactivate, listing_update
from catalog.states import ListingStatus
from marketplace.api.endpoints import SellerEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.api.pagination import CursorPagination
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Scope
from sellers.api.serializers import (
    ImportResultSerializer,
    ImportRowSerializer,
    ListingSerializer,
    PerformanceSerializer,
)
from sellers.imports import MAX_ROWS, ImportRow, parse_csv, read_bounded
from sellers.selectors import seller_get
from sellers.selectors.performance import performance_data, performance_get
from sellers.services.listings import listings_import, seller_listing_create

PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json).")


class ListingEndpoint(SellerEndpoint):
    """Seller listings: a seller key with `listings:write`, or a session member of a seller."""

    required_scopes: ClassVar = {
        "GET": Scope.LISTINGS_WRITE,
        "POST": Scope.LISTINGS_WRITE,
        "PATCH": Scope.LISTINGS_WRITE,
        "PUT": Scope.LISTINGS_WRITE,
        "DELETE": Scope.LISTINGS_WRITE,
    }


class ListingFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ListingStatus.choices)
    market = filters.CharFilter(field_name="market_id")
    grade = filters.CharFilter(field_name="grade_id")
    sku = filters.CharFilter(field_name="sku", lookup_expr="iexact")

    class Meta:
        model = Listing
        fields = ("status", "market", "grade", "sku")


class ListingPagination(CursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema_view(
    get=extend_schema(summary="List your listings", tags=["seller"]),
    post=extend_schema(
        summary="Create a listing",
        tags=["seller"],
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: ListingSerializer,
            400: PROBLEM,
            403: PROBLEM,
            429: OpenApiResponse(
                description="The 6th new listing of the day under a daily cap: problem `type` ending in "
                "`probation-daily-cap` (during probation) or `score-daily-cap` (a quality score below the "
                "listing cap's threshold), with `Retry-After` (seconds until the next slot)."
            ),
        },
    ),
)
class ListingListCreate(ListingEndpoint, generics.ListCreateAPIView):
    serializer_class = ListingSerializer
    pagination_class = ListingPagination
    filterset_class = ListingFilter

    def get_queryset(self) -> QuerySet[Listing]:
        return self.scoped(Listing.objects.select_related("variant__product", "market", "grade"))

    @idempotent
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        listing = seller_listing_create(
            seller=self.require_organisation(),
            actor=self.actor,
            variant=data["variant"],
            grade=data["grade"],
            market=data["market"],
            price_amount=data["price"].amount,
            stock=data["stock"],
            sku=data["sku"],
            battery_health=data["battery_health"],
            warranty_months=data.get("warranty_months", 12),
            status=data.get("status", ListingStatus.ACTIVE),
        )
        return Response(self.get_serializer(listing).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Get a listing", tags=["seller"]),
    patch=extend_schema(summary="Update a listing (price, stock, grade, ... or status)", tags=["seller"]),
    delete=extend_schema(summary="Deactivate a listing for good", tags=["seller"], responses={204: None}),
)
class ListingDetail(ListingEndpoint, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ListingSerializer
    http_method_names: ClassVar = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Listing:
        return self.get_scoped_or_404(
            Listing.objects.select_related("variant__product", "market", "grade"), pk=self.kwargs["pk"]
        )

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        listing = self.get_object()
        serializer = self.get_serializer(listing, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("variant", None)
        changes.pop("market", None)
        if "price" in changes:
            changes["price_amount"] = changes.pop("price").amount
        listing = listing_update(listing=listing, actor=self.actor, **changes)
        return Response(self.get_serializer(self.get_object()).data)

    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        listing = self.get_object()
        if listing.status != ListingStatus.DEACTIVATED:
            listing_deactivate(listing=listing, actor=self.actor, reason="deleted through the API")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CSVParser(parsers.BaseParser):
    """`text/csv`, read within the import's size bound (a larger body is refused before it is read whole)."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        return read_bounded(stream) if stream is not None else b""


class BoundedJSONParser(parsers.JSONParser):
    """JSON rows, read within the import's size bound, then parsed."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = read_bounded(stream) if stream is not None else b""
        return super().parse(io.BytesIO(data), media_type, parser_context)


@extend_schema(
    summary="Import listings (CSV or JSON array), all or nothing",
    description=(
        "`text/csv` with the header `sku,variant,grade,market,price,stock,battery_health,warranty_months,status` "
        "(price in major units, e.g. 129.99), or a JSON array of rows (price as money). Every row is validated; "
        "if any fails nothing is saved and each error names its row and column (`field`: `row 3.price`). An "
        "existing SKU in the same market updates that listing. Under a daily cap a file with more new listings "
        "than today's free slots gets 429 `probation-daily-cap` (probation) or `score-daily-cap` (low quality "
        "score) and saves nothing."
    ),
    tags=["seller"],
    parameters=[IDEMPOTENCY_PARAMETER],
    request={"text/csv": {"type": "string"}, "application/json": ImportRowSerializer(many=True)},
    responses={201: ImportResultSerializer, 400: PROBLEM, 429: PROBLEM},
    examples=[
        OpenApiExample(
            "CSV",
            media_type="text/csv",
            request_only=True,
            value="sku,variant,grade,market,price,stock,battery_health,warranty_months,status\n"
            "IP13-128-BLK,42,excellent,fr,429.00,3,91,12,active\n",
        )
    ],
)
class ListingImport(ListingEndpoint, generics.GenericAPIView):
    parser_classes: ClassVar = [BoundedJSONParser, CSVParser]
    serializer_class = ImportResultSerializer

    @idempotent
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.data, bytes | str):
            rows = parse_csv(request.data)
        elif not request.data and (request.content_type or "").startswith("text/csv"):
            rows = parse_csv(b"")  # DRF hands an empty body over as an empty dict: the file is empty
        elif isinstance(request.data, list):
            if len(request.data) > MAX_ROWS:
                raise ApplicationError(ErrorCode.VALIDATION, f"An import holds at most {MAX_ROWS} rows.")
            serializer = ImportRowSerializer(data=request.data, many=True)
            if not serializer.is_valid():
                raw = serializer.errors  # DRF gives {index: {field: [messages]}} for a list (or a list of dicts)
                indexed = raw.items() if isinstance(raw, dict) else enumerate(raw)
                errors = [
                    {"field": f"row {index + 1}.{name}", "message": f"Row {index + 1}, column {name}: {messages[0]}"}
                    for index, row_errors in indexed
                    if isinstance(row_errors, dict)
                    for name, messages in row_errors.items()
                ] or [{"field": "", "message": str(raw)}]
                raise ApplicationError(
                    ErrorCode.VALIDATION, "Nothing was imported: some rows are not valid.", errors=errors
                )
            rows = [
                ImportRow(
                    number=index + 1,
                    sku=row["sku"],
                    variant_id=row["variant"],
                    grade=row["grade"],
                    market=row["market"],
                    price=row["price"].amount,
                    stock=row["stock"],
                    battery_health=row["battery_health"],
                    warranty_months=row["warranty_months"],
                    status=row["status"],
                )
                for index, row in enumerate(serializer.validated_data)
            ]
        else:
            raise ApplicationError(ErrorCode.VALIDATION, "Send text/csv or a JSON array of rows.")
        result = listings_import(seller=self.require_organisation(), actor=self.actor, rows=rows)
        body = {
            "created": len(result.created),
            "updated": len(result.updated),
            "listings": [listing.pk for listing in [*result.created, *result.updated]],
        }
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Your performance: the quality score, its metrics, the sanctions step and the trend",
    description=(
        "The score (0-100) over the rolling window (90 days) from the latest daily scoring run, or null with "
        "`status` `new` while fewer units were delivered in the window than the minimum sample (20). Rates are "
        "fractions (0.034), the average rating in stars, the claim answer time (median) in hours; `threshold` "
        "is the value at which a metric earns its whole weight. `step`: `none`, `warning` (score < 70), `cap` "
        "(score < 60: 5 new listings a day, 429 `score-daily-cap` beyond), `suspended` (score < 50 or more "
        "than 8 % defects). The `seller.score_changed` webhook carries the same object."
    ),
    tags=["seller"],
    responses={200: PerformanceSerializer, 401: PROBLEM, 403: PROBLEM},
)
class PerformanceView(SellerEndpoint, generics.GenericAPIView):
    """The acting seller's performance: a seller key with `listings:write` (API.md), or a session member."""

    required_scopes: ClassVar = {"GET": Scope.LISTINGS_WRITE}
    serializer_class = PerformanceSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        seller = seller_get(organisation=self.organisation)
        return Response(performance_data(performance_get(seller=seller)))
