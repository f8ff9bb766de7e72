"""Seller API for units in refurbishment: /api/v1/seller/units/ (API.md). A seller key with `listings:write`,
or a session member of a seller; another seller's unit (or its photo) is a 404 everywhere."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, parsers, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.api.endpoints import SellerEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.api.pagination import CursorPagination
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Organisation, Scope
from marketplace.money import Money
from sellers.api.serializers import ListingSerializer
from workshop.api.serializers import (
    QualityCheckResultSerializer,
    QualityCheckSerializer,
    TransitionSerializer,
    UnitCreateSerializer,
    UnitDetailSerializer,
    UnitImportResultSerializer,
    UnitImportRowSerializer,
    UnitListingSerializer,
    UnitPatchSerializer,
    WorkshopUnitSerializer,
    technician_of,
)
from workshop.imports import MAX_ROWS, UnitRow, parse_csv, read_bounded
from workshop.models import Unit
from workshop.photos import unit_photo_response
from workshop.selectors import UNIT_RELATED, unit_photo_get, unit_photos_prefetch
from workshop.services.listing import unit_listing_create
from workshop.services.setup import workshop_settings_for
from workshop.services.units import unit_create, unit_transition, unit_update, units_import
from workshop.services.work import unit_quality_check_record
from workshop.states import UnitSource, UnitStatus

PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json).")
TAGS = ["seller units"]


class UnitEndpoint(SellerEndpoint):
    required_scopes: ClassVar = {
        "GET": Scope.LISTINGS_WRITE,
        "POST": Scope.LISTINGS_WRITE,
        "PATCH": Scope.LISTINGS_WRITE,
        "PUT": Scope.LISTINGS_WRITE,
    }

    def unit(self, pk: int) -> Unit:
        return self.get_scoped_or_404(Unit.objects.select_related(*UNIT_RELATED, "seller"), pk=pk)

    def unit_and_input(self, pk: int, serializer_class: type[serializers.Serializer]) -> tuple[Unit, dict[str, Any]]:
        """The seller's unit (404 for anyone else's) and the request's body checked by `serializer_class`
        (400 naming the fields): what every action on a unit starts with."""
        unit = self.unit(pk)
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return unit, dict(serializer.validated_data)

    def cost_amount(self, money: Money | None, seller: Organisation) -> int:
        """A cost given as money must be in the seller's workshop currency."""
        if money is None:
            return 0
        currency = workshop_settings_for(seller).currency
        if money.currency != currency:
            message = _("Your workshop counts in %(currency)s.") % {"currency": currency}
            raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "cost", "message": message}])
        return money.amount


class UnitFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=UnitStatus.choices)
    source = filters.ChoiceFilter(choices=UnitSource.choices)
    identifier = filters.CharFilter(field_name="identifier", lookup_expr="iexact")
    listing = filters.NumberFilter(field_name="listing_id", help_text="The listing's units (listed ones ship).")
    technician = filters.NumberFilter(field_name="technician_id")
    overdue = filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Unit
        fields = ("status", "source", "identifier", "listing", "technician", "overdue")

    def filter_overdue(self, queryset: QuerySet[Unit], name: str, value: bool | None) -> QuerySet[Unit]:
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(due_at__lt=now) if value else queryset.exclude(due_at__lt=now)


class UnitPagination(CursorPagination):
    ordering = ("-received_at", "-id")


@extend_schema_view(
    get=extend_schema(summary="List your units", tags=TAGS),
    post=extend_schema(
        summary="Take a unit in",
        description=(
            "A device taken in by hand: received on the board, assigned by your rules. Refused: an identifier "
            "that is not a valid IMEI (Luhn) or serial (400 `invalid-device-identifier`), one you already hold "
            "as an active unit (422 `unit-already-held`), one on the stolen-device blocklist (422 "
            "`device-blocklisted`, reported to Encore)."
        ),
        tags=TAGS,
        request=UnitCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: WorkshopUnitSerializer, 400: PROBLEM, 422: PROBLEM},
    ),
)
class UnitListCreate(UnitEndpoint, generics.ListCreateAPIView):
    serializer_class = WorkshopUnitSerializer
    pagination_class = UnitPagination
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[Unit]:
        return self.scoped(Unit.objects.select_related(*UNIT_RELATED))

    @idempotent
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = UnitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        seller = self.require_organisation()
        unit = unit_create(
            seller=seller,
            actor=self.actor,
            identifier=data["identifier"],
            variant=data["variant"],
            source=data["source"],
            purchase_amount=self.cost_amount(data.get("cost"), seller),
            notes=data.get("notes", ""),
            technician=technician_of(seller.pk, data.get("technician")),
        )
        return Response(WorkshopUnitSerializer(self.unit(unit.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Get a unit", tags=TAGS),
    patch=extend_schema(
        summary="Correct a unit (identifier, variant, cost, notes, technician)",
        tags=TAGS,
        request=UnitPatchSerializer,
        responses={200: UnitDetailSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    ),
)
class UnitDetail(UnitEndpoint, generics.RetrieveAPIView):
    serializer_class = UnitDetailSerializer
    http_method_names: ClassVar = ["get", "patch", "head", "options"]

    def get_object(self) -> Unit:
        """The unit with its photos (one query for all of them, whatever their number)."""
        return self.get_scoped_or_404(
            Unit.objects.select_related(*UNIT_RELATED, "seller").prefetch_related(unit_photos_prefetch()),
            pk=self.kwargs["pk"],
        )

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit, changes = self.unit_and_input(self.kwargs["pk"], UnitPatchSerializer)
        if "cost" in changes:
            changes["purchase_amount"] = self.cost_amount(changes.pop("cost"), unit.seller)
        if "technician" in changes:
            changes["technician"] = technician_of(unit.seller_id, changes["technician"])
        unit_update(unit=unit, actor=self.actor, **changes)
        return Response(self.get_serializer(self.get_object()).data)


class ImageRenderer(BaseRenderer):
    """Lets a client ask for `image/*` (the photo's bytes go out as they are stored, never rendered); a
    problem answered to such a request is still written as JSON."""

    media_type = "image/*"
    format = "image"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data, "application/json", renderer_context)


@extend_schema(
    summary="Download a photo of a unit's work",
    description=(
        "The bytes of one of the unit's photos (listed in the unit's `photos`, each with its `url`), with its "
        "content type (image/jpeg, image/png or image/heic) and `Content-Disposition: attachment`. Another "
        "seller's unit or photo, or a photo of another unit: 404."
    ),
    tags=TAGS,
    responses={
        (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The photo, as it was recorded."),
        404: PROBLEM,
    },
)
class UnitPhotoDownload(UnitEndpoint):
    renderer_classes: ClassVar = [JSONRenderer, ImageRenderer]

    def get(self, request: Request, pk: int, photo_id: int) -> FileResponse:
        photo = unit_photo_get(seller=self.require_organisation(), unit_id=pk, id=photo_id)
        return unit_photo_response(photo, inline=False)  # STYLE.md: uploaded files are served as attachments


@extend_schema(
    summary="Move a unit on the board",
    description=(
        "`to` one of the moves the unit's status allows (its `allowed_moves`); otherwise 409 naming them. "
        "A unit becomes ready through a passed quality check, listed through `.../listing/`, sold at shipping."
    ),
    tags=TAGS,
    request=TransitionSerializer,
    parameters=[IDEMPOTENCY_PARAMETER],
    responses={200: WorkshopUnitSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
class UnitTransition(UnitEndpoint, generics.GenericAPIView):
    serializer_class = TransitionSerializer

    @idempotent
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        unit, data = self.unit_and_input(pk, TransitionSerializer)
        unit_transition(unit=unit, actor=self.actor, to=data["to"], note=data["note"])
        return Response(WorkshopUnitSerializer(self.unit(pk)).data)


@extend_schema(
    summary="Record a unit's quality check",
    description=(
        "Every item of the unit's category's list passed (true) or failed (false), the cosmetic findings and "
        "the battery health. All passed and a grade possible: the unit is ready with its suggested grade; "
        "otherwise it goes back to repair. A unit not in quality check: 409."
    ),
    tags=TAGS,
    request=QualityCheckSerializer,
    parameters=[IDEMPOTENCY_PARAMETER],
    responses={201: QualityCheckResultSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
class UnitQualityCheck(UnitEndpoint, generics.GenericAPIView):
    serializer_class = QualityCheckSerializer

    @idempotent
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        unit, data = self.unit_and_input(pk, QualityCheckSerializer)
        check = unit_quality_check_record(
            unit=unit,
            actor=self.actor,
            results=data["results"],
            screen=data["screen"],
            body=data["body"],
            battery_health=data["battery_health"],
            note=data["note"],
        )
        body = {
            "passed": check.passed,
            "suggested_grade": check.suggested_grade_id,
            "failed": [str(item["code"]) for item in check.failed_items],
            "unit": WorkshopUnitSerializer(self.unit(pk)).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="List a ready unit",
    description=(
        "The unit joins your listing of the same variant, grade and market (its stock + 1; its price and "
        "warranty become these) or starts one (through the same rules as any listing: the probation or score "
        "cap's 429 included). `grade`: the suggested one or lower (higher: 422 `grade-above-suggestion`). "
        "A unit not ready: 409. Answers with the listing."
    ),
    tags=TAGS,
    request=UnitListingSerializer,
    parameters=[IDEMPOTENCY_PARAMETER],
    responses={201: ListingSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM, 429: PROBLEM},
)
class UnitListing(UnitEndpoint, generics.GenericAPIView):
    serializer_class = UnitListingSerializer

    @idempotent
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        unit, data = self.unit_and_input(pk, UnitListingSerializer)
        listing = unit_listing_create(
            unit=unit,
            actor=self.actor,
            market=data["market"],
            grade=data["grade"],
            price_amount=data["price"].amount,
            warranty_months=data.get("warranty_months") or workshop_settings_for(unit.seller).warranty_months,
            sku=data["sku"],
        )
        listing.refresh_from_db()
        return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED)


class CSVParser(parsers.BaseParser):
    """`text/csv`, read within the import's size bound."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        return read_bounded(stream) if stream is not None else b""


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = read_bounded(stream) if stream is not None else b""
        return super().parse(io.BytesIO(data), media_type, parser_context)


@extend_schema(
    summary="Import units (CSV or JSON array), all or nothing",
    description=(
        "`text/csv` with the header `identifier,variant,cost,source,notes` (cost in major units of your "
        "currency, e.g. 49.90; source purchase, tradein or return), or a JSON array of rows (cost as money). "
        "Every row is checked as one unit would be; if any fails nothing is saved and each error names its "
        "row and column (`row 3.identifier`)."
    ),
    tags=TAGS,
    parameters=[IDEMPOTENCY_PARAMETER],
    request={"text/csv": {"type": "string"}, "application/json": UnitImportRowSerializer(many=True)},
    responses={201: UnitImportResultSerializer, 400: PROBLEM, 413: PROBLEM},
    examples=[
        OpenApiExample(
            "CSV",
            media_type="text/csv",
            request_only=True,
            value="identifier,variant,cost,source,notes\n356938035643809,42,120.00,purchase,\n",
        )
    ],
)
class UnitImport(UnitEndpoint, generics.GenericAPIView):
    parser_classes: ClassVar = [BoundedJSONParser, CSVParser]
    serializer_class = UnitImportResultSerializer

    @idempotent
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        seller = self.require_organisation()
        if isinstance(request.data, bytes | str):
            rows = parse_csv(request.data)
        elif not request.data and (request.content_type or "").startswith("text/csv"):
            rows = parse_csv(b"")
        elif isinstance(request.data, list):
            if len(request.data) > MAX_ROWS:
                raise ApplicationError(
                    ErrorCode.VALIDATION, _("An import holds at most %(count)s rows.") % {"count": MAX_ROWS}
                )
            serializer = UnitImportRowSerializer(data=request.data, many=True)
            if not serializer.is_valid():
                raw = serializer.errors
                indexed = raw.items() if isinstance(raw, dict) else enumerate(raw)
                errors = [
                    {
                        "field": f"row {index + 1}.{name}",
                        "message": _("Row %(row)s, column %(column)s: %(message)s")
                        % {"row": index + 1, "column": name, "message": messages[0]},
                    }
                    for index, row_errors in indexed
                    if isinstance(row_errors, dict)
                    for name, messages in row_errors.items()
                ] or [{"field": "", "message": str(raw)}]
                raise ApplicationError(
                    ErrorCode.VALIDATION, _("Nothing was imported: some rows are not valid."), errors=errors
                )
            currency = workshop_settings_for(seller).currency
            rows = []
            for index, row in enumerate(serializer.validated_data):
                cost = row.get("cost")
                if cost is not None and cost.currency != currency:
                    raise ApplicationError(
                        ErrorCode.VALIDATION,
                        _("Nothing was imported: some rows are not valid."),
                        errors=[
                            {
                                "field": f"row {index + 1}.cost",
                                "message": _("Your workshop counts in %(currency)s.") % {"currency": currency},
                            }
                        ],
                    )
                rows.append(
                    UnitRow(
                        number=index + 1,
                        identifier=row["identifier"],
                        variant_id=row["variant"],
                        cost=cost.amount if cost is not None else 0,
                        source=row["source"],
                        notes=row["notes"],
                    )
                )
            if not rows:
                raise ApplicationError(ErrorCode.VALIDATION, _("The file has no rows to import."))
        else:
            raise ApplicationError(ErrorCode.VALIDATION, _("Send text/csv or a JSON array of rows."))
        created = units_import(seller=seller, actor=self.actor, rows=rows)
        return Response(
            {"created": len(created), "units": [unit.pk for unit in created]}, status=status.HTTP_201_CREATED
        )
