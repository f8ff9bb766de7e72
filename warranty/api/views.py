"""After-sales API (API.md): the seller's claims and returns (`/api/v1/seller/claims/`, `/api/v1/seller/returns/`)
and the partner's (`/api/v1/claims/`, `/api/v1/orders/{id}/returns/`, `/api/v1/returns/{id}/`).

Scopes: `claims:write` reads and answers claims and reads returns; a partner opens returns with
`orders:write` (and may read them and their label with it). Every object is scoped to the acting
organisation: another's is a 404. Creating POSTs and the state-changing actions take an
`Idempotency-Key`. Refusals are problems: 400 shape, 404 not yours, 409 the claim's or return's
status does not allow it (naming the allowed moves), 422 a rule (warranty ended, the rule of three,
the return window).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.api.endpoints import PartnerEndpoint, SellerEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Scope
from marketplace.uploads import oversized_uploads
from orders.models import Order, OrderLine, SellerOrder
from warranty import selectors
from warranty.api.serializers import (
    ClaimSerializer,
    DisputeSerializer,
    MessageInSerializer,
    PartnerClaimCreateSerializer,
    PartnerClaimSerializer,
    PartnerReturnSerializer,
    ResolveSerializer,
    RespondSerializer,
    ReturnCreateSerializer,
    ReturnSerializer,
)
from warranty.models import Claim, Return
from warranty.services import claims as claim_services
from warranty.services import returns as return_services
from warranty.services.claims import Claimant
from warranty.services.labels import label_pdf
from warranty.states import ClaimStatus, MessageAuthor, ReturnStatus

CLAIM_STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=ClaimStatus.values, description="Only claims in this status."
)
DEADLINE_PARAMETER = OpenApiParameter(
    "deadline",
    str,
    enum=list(selectors.DEADLINE_FILTERS),
    description="overdue: its current deadline has passed; today: due by the end of today; soon: within 2 days.",
)
RETURN_STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=ReturnStatus.values, description="Only returns in this status."
)
PROBLEM = OpenApiResponse(description="A problem (RFC 9457).")
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}


def _choice(request: Request, name: str, choices: list[str] | tuple[str, ...]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            f"Unknown {name} {value!r}.",
            errors=[{"field": name, "message": f"One of {', '.join(choices)}."}],
        )
    return value


def _photos(request: Request) -> list[Any]:
    """The request's photos; a file dropped for its size (10 MB) is a field error, not a silent loss."""
    dropped = oversized_uploads(request._request)
    if dropped:
        errors = [{"field": "photos", "message": f"{name}: the file is larger than 10 MB."} for _field, name in dropped]
        raise ApplicationError(ErrorCode.VALIDATION, errors[0]["message"], errors=errors)
    return list(request.FILES.getlist("photos")) if hasattr(request, "FILES") else []


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- seller: claims -----------------------------------------------------------------------------------
class SellerClaimEndpoint(SellerEndpoint):
    required_scopes: ClassVar = {"GET": Scope.CLAIMS_WRITE, "POST": Scope.CLAIMS_WRITE}

    def claim(self, pk: int) -> Claim:
        return selectors.claim_get_for_seller(seller=self.organisation, id=pk)

    def respond(self, claim: Claim) -> Response:
        return Response(ClaimSerializer(self.claim(claim.pk)).data)


@extend_schema_view(
    get=extend_schema(
        summary="List the seller's warranty claims",
        tags=["seller claims"],
        parameters=[CLAIM_STATUS_PARAMETER, DEADLINE_PARAMETER],
    )
)
class SellerClaimList(SellerClaimEndpoint, generics.ListAPIView):
    """The seller's claims, newest first, with their conversation and deadlines."""

    serializer_class = ClaimSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claim_list_for_seller(
            seller=self.organisation,
            status=_choice(self.request, "status", ClaimStatus.values),
            deadline=_choice(self.request, "deadline", selectors.DEADLINE_FILTERS),
        )


@extend_schema_view(get=extend_schema(summary="Get one of the seller's claims", tags=["seller claims"]))
class SellerClaimDetail(SellerClaimEndpoint, generics.RetrieveAPIView):
    serializer_class = ClaimSerializer

    def get_object(self) -> Claim:
        return self.claim(self.kwargs["pk"])


class SellerClaimRespond(SellerClaimEndpoint):
    @extend_schema(
        summary="Answer a claim: repair, replace or refund",
        description="The rule of three decides what may be proposed: the 2nd technical claim of a purchase only a "
        "replacement, the 3rd only a refund (422 resolution-not-allowed, naming the allowed one in `allowed`).",
        tags=["seller claims"],
        request=RespondSerializer,
        responses={200: ClaimSerializer, 409: PROBLEM, 422: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        claim = self.claim(pk)
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_services.claim_respond(
            claim=claim,
            resolution=serializer.validated_data["resolution"],
            message=serializer.validated_data["message"],
            actor=self.actor,
        )
        return self.respond(claim)


def _post_message(endpoint: Any, request: Request, claim: Claim, role: str) -> Response:
    serializer = MessageInSerializer(data={"message": request.data.get("message", "")})
    serializer.is_valid(raise_exception=True)
    claim_services.claim_message_post(
        claim=claim, role=role, actor=endpoint.actor, body=serializer.validated_data["message"], photos=_photos(request)
    )
    return Response(endpoint.serializer_for(claim), status=status.HTTP_201_CREATED)


MESSAGE_REQUEST = {"application/json": MessageInSerializer, "multipart/form-data": MessageInSerializer}


class SellerClaimMessages(SellerClaimEndpoint):
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    def serializer_for(self, claim: Claim) -> dict[str, Any]:
        return dict(ClaimSerializer(self.claim(claim.pk)).data)

    @extend_schema(
        summary="Write to the customer (and send photos)",
        description='JSON `{"message"}`, or multipart with `message` and up to 5 `photos` (JPEG, PNG, HEIC; '
        "10 MB each; checked by content). Answers the claim with its conversation.",
        tags=["seller claims"],
        request=MESSAGE_REQUEST,
        responses={201: ClaimSerializer, 400: PROBLEM, 409: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        return _post_message(self, request, self.claim(pk), MessageAuthor.SELLER)


class SellerClaimUnitReceived(SellerClaimEndpoint):
    @extend_schema(
        summary="The unit has arrived: the repair clock starts",
        description="A repair or replacement is done within 5 business days of this (the market's calendar).",
        tags=["seller claims"],
        request=None,
        responses={200: ClaimSerializer, 409: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_services.claim_unit_received(claim=self.claim(pk), actor=self.actor)
        return self.respond(claim)


class SellerClaimResolve(SellerClaimEndpoint):
    @extend_schema(
        summary="Repair done, or replacement shipped",
        description='A repair: `{}`. A replacement: `{"identifier": "<the new unit\'s IMEI or serial>"}`, checked '
        "as at shipping (Luhn, the stolen-device blocklist).",
        tags=["seller claims"],
        request=ResolveSerializer,
        responses={200: ClaimSerializer, 400: PROBLEM, 409: PROBLEM, 422: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        claim = self.claim(pk)
        serializer = ResolveSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        claim = claim_services.claim_resolve(
            claim=claim, actor=self.actor, identifier=serializer.validated_data["identifier"]
        )
        return self.respond(claim)


# --- seller: returns ----------------------------------------------------------------------------------
class SellerReturnEndpoint(SellerEndpoint):
    required_scopes: ClassVar = {"GET": Scope.CLAIMS_WRITE, "POST": Scope.CLAIMS_WRITE}

    def ret(self, pk: int) -> Return:
        return selectors.return_get_for_seller(seller=self.organisation, id=pk)


@extend_schema_view(
    get=extend_schema(
        summary="List the seller's returns", tags=["seller returns"], parameters=[RETURN_STATUS_PARAMETER]
    )
)
class SellerReturnList(SellerReturnEndpoint, generics.ListAPIView):
    serializer_class = ReturnSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[Return]:
        return selectors.return_list_for_seller(
            seller=self.organisation, status=_choice(self.request, "status", ReturnStatus.values)
        )


@extend_schema_view(get=extend_schema(summary="Get one of the seller's returns", tags=["seller returns"]))
class SellerReturnDetail(SellerReturnEndpoint, generics.RetrieveAPIView):
    serializer_class = ReturnSerializer

    def get_object(self) -> Return:
        return self.ret(self.kwargs["pk"])


class SellerReturnReceive(SellerReturnEndpoint):
    @extend_schema(
        summary="Mark a return received: the refund is paid",
        tags=["seller returns"],
        request=None,
        responses={200: ReturnSerializer, 409: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ret = return_services.return_receive(ret=self.ret(pk), actor=self.actor)
        return Response(ReturnSerializer(selectors.return_with_relations(ret.pk)).data)


# --- partner: claims ----------------------------------------------------------------------------------
class PartnerClaimEndpoint(PartnerEndpoint):
    required_scopes: ClassVar = {"GET": Scope.CLAIMS_WRITE, "POST": Scope.CLAIMS_WRITE}

    def claim(self, pk: int) -> Claim:
        return selectors.claim_get_for_partner(partner=self.organisation, id=pk)

    def label_url(self) -> Callable[[Claim], str]:
        return lambda claim: self.request.build_absolute_uri(reverse("api-claim-label", args=[claim.pk]))

    def serializer_for(self, claim: Claim) -> dict[str, Any]:
        return dict(PartnerClaimSerializer(self.claim(claim.pk), context={"label_url": self.label_url()}).data)


@extend_schema_view(get=extend_schema(summary="List the partner's claims", tags=["partner claims"]))
class PartnerClaimList(PartnerClaimEndpoint, generics.ListAPIView):
    """Claims the partner opened for its customers, newest first."""

    serializer_class = PartnerClaimSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claim_list_for_partner(partner=self.organisation)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "label_url": self.label_url()}

    @extend_schema(
        summary="Open a warranty claim for a customer",
        description="On a delivered unit of an order the partner placed, while its warranty runs. A unit not "
        "delivered, replaced or whose warranty ended: 422 (the problem says which, with the end date); "
        "a claim already open on the unit: 409.",
        tags=["partner claims"],
        request=PartnerClaimCreateSerializer,
        responses={201: PartnerClaimSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = PartnerClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        partner = self.require_organisation()
        line = self.get_scoped_or_404(
            OrderLine.objects.select_related("seller_order__order__market"),
            field="seller_order__order__partner",
            pk=data["order_line"],
        )
        claim = claim_services.claim_open(
            line=line,
            identifier=data["unit"],
            claimant=Claimant(partner=partner),
            category=data["category"],
            description=data["description"],
            actor=self.actor,
        )
        return Response(self.serializer_for(claim), status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary="Get one of the partner's claims", tags=["partner claims"]))
class PartnerClaimDetail(PartnerClaimEndpoint, generics.RetrieveAPIView):
    serializer_class = PartnerClaimSerializer

    def get_object(self) -> Claim:
        return self.claim(self.kwargs["pk"])

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "label_url": self.label_url()}


class PartnerClaimMessages(PartnerClaimEndpoint):
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    @extend_schema(
        summary="Write to the seller (and send photos)",
        description='JSON `{"message"}`, or multipart with `message` and up to 5 `photos` (JPEG, PNG, HEIC; '
        "10 MB each; checked by content).",
        tags=["partner claims"],
        request=MESSAGE_REQUEST,
        responses={201: PartnerClaimSerializer, 400: PROBLEM, 409: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        return _post_message(self, request, self.claim(pk), MessageAuthor.PARTNER)


class PartnerClaimAccept(PartnerClaimEndpoint):
    @extend_schema(
        summary="The customer accepts the seller's answer",
        description="A refund is paid at once; a repair or a replacement starts, with a prepaid label (`label_url`).",
        tags=["partner claims"],
        request=None,
        responses={200: PartnerClaimSerializer, 409: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_services.claim_accept(claim=self.claim(pk), actor=self.actor)
        return Response(self.serializer_for(claim))


class PartnerClaimDispute(PartnerClaimEndpoint):
    @extend_schema(
        summary="The customer disputes the seller's answer",
        description="The claim goes to Encore's success managers, who decide.",
        tags=["partner claims"],
        request=DisputeSerializer,
        responses={200: PartnerClaimSerializer, 400: PROBLEM, 409: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        claim = self.claim(pk)
        serializer = DisputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_services.claim_dispute(
            claim=claim, actor=self.actor, message=serializer.validated_data["message"], role=MessageAuthor.PARTNER
        )
        return Response(self.serializer_for(claim))


class PartnerClaimLabel(PartnerClaimEndpoint):
    @extend_schema(
        summary="The prepaid repair label (PDF)",
        tags=["partner claims"],
        responses={**PDF_RESPONSE, 404: PROBLEM},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        claim = self.claim(pk)
        label = getattr(claim, "label", None)
        if label is None:
            raise ApplicationError(
                ErrorCode.NOT_FOUND, "This claim has no label yet: it is issued when a repair starts."
            )
        return _pdf(label_pdf(label=label), f"encore-repair-label-{claim.reference}.pdf")


# --- partner: returns ---------------------------------------------------------------------------------
class PartnerReturnEndpoint(PartnerEndpoint):
    required_scopes: ClassVar = {"GET": (Scope.CLAIMS_WRITE, Scope.ORDERS_WRITE)}

    def ret(self, pk: int) -> Return:
        return selectors.return_get_for_partner(partner=self.organisation, id=pk)

    def serializer_for(self, ret: Return) -> dict[str, Any]:
        def label_url(item: Return) -> str:
            return self.request.build_absolute_uri(reverse("api-return-label", args=[item.pk]))

        return dict(
            PartnerReturnSerializer(selectors.return_with_relations(ret.pk), context={"label_url": label_url}).data
        )


class PartnerOrderReturns(PartnerReturnEndpoint):
    required_scopes: ClassVar = {"POST": Scope.ORDERS_WRITE}

    @extend_schema(
        summary="Return units of one parcel of a partner's order",
        description="Within 30 days of delivery, no reason needed: the return is authorised at once with a prepaid "
        "label (`label_url`); the refund is a credit note on the partner's invoice, issued when the seller "
        "receives the parcel (or 14 days after the carrier delivered it). After the window: 422 "
        "return-window-closed with the date it ended.",
        tags=["partner returns"],
        request=ReturnCreateSerializer,
        responses={201: PartnerReturnSerializer, 400: PROBLEM, 404: PROBLEM, 422: PROBLEM},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        partner = self.require_organisation()
        order = self.get_scoped_or_404(Order.objects.all(), pk=pk)
        serializer = ReturnCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [(line["order_line"], line["quantity"]) for line in serializer.validated_data["lines"]]
        parcels = set(
            OrderLine.objects.filter(seller_order__order=order, pk__in=[line for line, _ in lines]).values_list(
                "seller_order_id", flat=True
            )
        )
        if len(parcels) > 1:
            message = "A return covers the lines of one parcel (one seller): open one return per parcel."
            raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "lines", "message": message}])
        if not parcels:
            message = "Not a line of this order."
            raise ApplicationError(
                ErrorCode.VALIDATION, message, errors=[{"field": "lines[0].order_line", "message": message}]
            )
        seller_order = SellerOrder.objects.select_related("order__market").get(pk=parcels.pop())
        units = return_services.units_for_lines(seller_order=seller_order, lines=lines)
        ret = return_services.return_open(
            seller_order=seller_order,
            units=units,
            reason=serializer.validated_data["reason"],
            buyer=Claimant(partner=partner),
            actor=self.actor,
        )
        return Response(self.serializer_for(ret), status=status.HTTP_201_CREATED)


class PartnerReturnDetail(PartnerReturnEndpoint):
    @extend_schema(
        summary="Get one of the partner's returns", tags=["partner returns"], responses={200: PartnerReturnSerializer}
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.serializer_for(self.ret(pk)))


class PartnerReturnLabel(PartnerReturnEndpoint):
    @extend_schema(
        summary="The prepaid return label (PDF)", tags=["partner returns"], responses={**PDF_RESPONSE, 404: PROBLEM}
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        ret = self.ret(pk)
        return _pdf(label_pdf(label=ret.label), f"encore-return-label-{ret.reference}.pdf")
