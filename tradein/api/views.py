"""Trade-in over the API: partners run the loop for their customers (`tradein:write`, partner keys);
refurbishers see and bid on lots (`listings:write`, seller keys)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Product
from marketplace.api.endpoints import PartnerEndpoint, SellerEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market, Scope
from tradein import selectors
from tradein.api.serializers import (
    BidSerializer,
    LotSerializer,
    QuestionnaireSerializer,
    QuoteAcceptSerializer,
    QuoteCreateSerializer,
    QuoteSerializer,
    TradeInSerializer,
)
from tradein.documents.render import certificate_pdf, label_pdf
from tradein.models import Bid, Lot, TradeIn
from tradein.questionnaire import QUESTIONNAIRES
from tradein.services.counter_offers import counter_offer_accept, counter_offer_decline
from tradein.services.lots import lot_bid
from tradein.services.quotes import Contact, PayoutChoice, tradein_quote_accept, tradein_quote_create
from tradein.states import TradeInStatus

TAG = "partner trade-ins"


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else b""


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TradeInEndpoint(PartnerEndpoint):
    required_scopes: ClassVar = {"GET": Scope.TRADEIN_WRITE, "POST": Scope.TRADEIN_WRITE}

    def tradein(self, pk: int) -> TradeIn:
        return selectors.tradein_get_for_partner(partner=self.organisation, id=pk)

    def respond(self, tradein: TradeIn, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.tradein(tradein.pk)
        return Response(TradeInSerializer(fresh).data, status=status_code)


class Questionnaire(TradeInEndpoint):
    @extend_schema(
        summary="The condition questionnaire of a category",
        tags=[TAG],
        parameters=[
            OpenApiParameter("category", str, required=True, enum=sorted(QUESTIONNAIRES), description="Category slug.")
        ],
        responses=QuestionnaireSerializer,
    )
    def get(self, request: Request) -> Response:
        category = request.query_params.get("category", "")
        if category not in QUESTIONNAIRES:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                "Unknown category.",
                errors=[{"field": "category", "message": f"One of {', '.join(sorted(QUESTIONNAIRES))}."}],
            )
        return Response(
            {
                "category": category,
                "results": [
                    {
                        "code": question.code,
                        "question": str(question.text),
                        "answers": [{"code": a.code, "label": str(a.label)} for a in question.answers],
                    }
                    for question in QUESTIONNAIRES[category]
                ],
            }
        )


class QuoteCreate(TradeInEndpoint):
    @extend_schema(
        summary="Quote a device for a customer",
        description="The answers give the declared condition; the price is in the market's currency, valid 14 days. "
        "An unknown product, variant or answer is a 400; a device we cannot price is a 422 (tradein-no-price).",
        tags=[TAG],
        request=QuoteCreateSerializer,
        responses={201: QuoteSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = QuoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = Product.objects.filter(slug=data["product"]).select_related("category").first()
        if product is None:
            raise ApplicationError(
                ErrorCode.VALIDATION, "Unknown product.", errors=[{"field": "product", "message": "Unknown product."}]
            )
        market = Market.objects.filter(code=data["market"].lower(), is_active=True).first()
        if market is None:
            raise ApplicationError(
                ErrorCode.VALIDATION, "Unknown market.", errors=[{"field": "market", "message": "Unknown market."}]
            )
        tradein = tradein_quote_create(
            actor=self.actor,
            product=product,
            variant_id=data["variant"],
            market=market,
            answers=data["answers"],
            partner=self.require_organisation(),
        )
        return Response(QuoteSerializer(tradein).data, status=status.HTTP_201_CREATED)


class QuoteAccept(TradeInEndpoint):
    @extend_schema(
        summary="Accept a quote: payout and the prepaid label",
        description="Payout: bank_transfer (an IBAN; euro markets only), store_credit (needs an Encore account: not "
        "for partners' customers, 422) or partner_credit (owed to the partner in its ledger). The answer carries "
        "`label_url` (PDF). An expired quote is a 409 (quote-expired); an accepted one a 409 naming its status.",
        tags=[TAG],
        request=QuoteAcceptSerializer,
        responses=TradeInSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        tradein = self.tradein(pk)
        serializer = QuoteAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tradein = tradein_quote_accept(
            tradein=tradein,
            actor=self.actor,
            contact=Contact(**data["customer"]),
            payout=PayoutChoice(**data["payout"]),
            partner=self.require_organisation(),
            partner_reference=data["reference"],
        )
        return self.respond(tradein)


STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=TradeInStatus.values, description="Only trade-ins in this status."
)


@extend_schema_view(
    get=extend_schema(summary="List the partner's trade-ins", tags=[TAG], parameters=[STATUS_PARAMETER])
)
class TradeInList(TradeInEndpoint, generics.ListAPIView):
    serializer_class = TradeInSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[TradeIn]:
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in TradeInStatus.values:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                f"Unknown status {wanted!r}.",
                errors=[{"field": "status", "message": f"One of {', '.join(TradeInStatus.values)}."}],
            )
        return selectors.tradein_list_for_partner(partner=self.organisation, status=wanted)

    def get_serializer_context(self) -> dict[str, Any]:
        return super().get_serializer_context()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        timelines = selectors.tradein_timelines([row.pk for row in rows])
        data = TradeInSerializer(rows, many=True, context={"timelines": timelines}).data
        return self.get_paginated_response(data)


@extend_schema_view(get=extend_schema(summary="Get one of the partner's trade-ins", tags=[TAG]))
class TradeInDetail(TradeInEndpoint, generics.RetrieveAPIView):
    serializer_class = TradeInSerializer

    def get_object(self) -> TradeIn:
        return self.tradein(self.kwargs["pk"])


class TradeInLabel(TradeInEndpoint):
    renderer_classes: ClassVar = [JSONRenderer, PdfRenderer]

    @extend_schema(
        summary="The prepaid shipping label (PDF)",
        tags=[TAG],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        tradein = self.tradein(pk)
        if tradein.tracking_number is None:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                "A quote has no label yet: accept it first.",
                extra={"status": tradein.status, "allowed": ["accepted"]},
            )
        return _pdf(label_pdf(tradein), f"label-{tradein.reference}.pdf")


class TradeInCertificate(TradeInEndpoint):
    renderer_classes: ClassVar = [JSONRenderer, PdfRenderer]

    @extend_schema(
        summary="The data-erasure certificate (PDF), once wiped",
        tags=[TAG],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        tradein = self.tradein(pk)
        if not hasattr(tradein, "certificate"):
            raise ApplicationError(ErrorCode.NOT_FOUND, "This device has not been wiped yet: no certificate.")
        return _pdf(certificate_pdf(tradein), f"erasure-certificate-{tradein.certificate.number}.pdf")


class CounterOfferAccept(TradeInEndpoint):
    @extend_schema(
        summary="The customer accepts the counter-offer",
        description="Its price becomes final and is paid. Answered already (or past its 14 days): 409.",
        tags=[TAG],
        request=None,
        responses=TradeInSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        return self.respond(counter_offer_accept(tradein=self.tradein(pk), actor=self.actor))


class CounterOfferDecline(TradeInEndpoint):
    @extend_schema(
        summary="The customer declines the counter-offer",
        description="The device goes back at the platform's cost, with its own label. Answered already: 409.",
        tags=[TAG],
        request=None,
        responses=TradeInSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        return self.respond(counter_offer_decline(tradein=self.tradein(pk), actor=self.actor))


# --- seller: supply offered to refurbishers ---------------------------------------------------
class SellerLotEndpoint(SellerEndpoint):
    required_scopes: ClassVar = {"GET": Scope.LISTINGS_WRITE, "POST": Scope.LISTINGS_WRITE}


@extend_schema_view(
    get=extend_schema(
        summary="Trade-in lots: open for bids, and those you bought",
        description="Devices of one model and condition, inspected and wiped; identifiers shown for lots you bought.",
        tags=["seller trade-in lots"],
    )
)
class SellerLotList(SellerLotEndpoint, generics.ListAPIView):
    serializer_class = LotSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[Lot]:
        return selectors.lots_for_seller(seller=self.organisation, now=timezone.now())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "seller": self.organisation}


class SellerLotBid(SellerLotEndpoint):
    @extend_schema(
        summary="Bid on a lot (or buy a fixed-price lot)",
        description="A bid raises your own; the best bid after 48 hours buys the lot, paid from your payable balance. "
        "A closed lot is a 409 (lot-closed); a bid under the reserve or your current bid a 422 (bid-too-low).",
        tags=["seller trade-in lots"],
        request=BidSerializer,
        responses={201: LotSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        seller = self.require_organisation()
        lot = selectors.lot_get_for_seller(seller=seller, id=pk, now=timezone.now())
        serializer = BidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = lot_bid(lot=lot, seller=seller, amount=serializer.validated_data["price"], actor=self.actor)
        fresh = (
            Lot.objects.select_related("product")
            .prefetch_related("devices__inspection", "devices__certificate", "bids")
            .get(pk=result.lot_id if isinstance(result, Bid) else result.pk)
        )
        return Response(LotSerializer(fresh, context={"seller": seller}).data, status=status.HTTP_201_CREATED)
