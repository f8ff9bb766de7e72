"""Trade-in over the API: partners run the loop for their customers (`tradein:write`, partner keys);
refurbishers see and bid on lots (`listings:write`, seller keys)."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, parsers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Product
from marketplace.api.endpoints import PartnerEndpoint, SellerEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market, Scope
from tradein import batch_files, selectors
from tradein.api.serializers import (
    BatchAcceptSerializer,
    BatchCounterOffersSerializer,
    BatchRowSerializer,
    BatchSerializer,
    BatchSummarySerializer,
    BidSerializer,
    LotSerializer,
    QuestionnaireSerializer,
    QuoteAcceptSerializer,
    QuoteCreateSerializer,
    QuoteSerializer,
    TradeInSerializer,
)
from tradein.documents.batch_render import (
    batch_certificates_zip,
    batch_credit_note_pdf,
    batch_labels_pdf,
    batch_report_pdf,
    credit_note_number,
)
from tradein.documents.render import certificate_pdf, label_pdf
from tradein.models import Batch, Bid, Lot, TradeIn
from tradein.questionnaire import QUESTIONNAIRES
from tradein.services.batches import batch_accept, batch_counter_offers_answer, batch_quote_create
from tradein.services.counter_offers import counter_offer_accept, counter_offer_decline
from tradein.services.lots import lot_bid
from tradein.services.quotes import Contact, PayoutChoice, tradein_quote_accept, tradein_quote_create
from tradein.states import BatchStatus, TradeInStatus

TAG = "partner trade-ins"
PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json).")


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


# --- business trade-in: batches ------------------------------------------------------------------------
BATCH_TAG = "partner business trade-in"


class BatchCSVParser(parsers.BaseParser):
    """`text/csv`, read within the batch file's size bound (a larger body is a 413 before it is read whole)."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:
        return batch_files.read_bounded(stream) if stream is not None else b""


class BatchJSONParser(parsers.JSONParser):
    """JSON rows, read within the same bound, then parsed."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = batch_files.read_bounded(stream) if stream is not None else b""
        if not data.strip():
            return []
        return super().parse(io.BytesIO(data), media_type, parser_context)


class BatchEndpoint(TradeInEndpoint):
    def batch(self, pk: int) -> Batch:
        return selectors.batch_get_for_partner(partner=self.organisation, id=pk)

    def respond_batch(self, batch: Batch, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.batch_get_for_partner(partner=self.organisation, id=batch.pk)
        devices = list(selectors.batch_devices(fresh))
        return Response(BatchSerializer(fresh, context={"devices": devices}).data, status=status_code)


MARKET_PARAMETER = OpenApiParameter(
    "market", str, description="The market the devices are sent from (default: the company's country)."
)


@extend_schema_view(
    get=extend_schema(summary="List the company's batches (without their devices)", tags=[BATCH_TAG]),
)
class BatchListCreate(BatchEndpoint, generics.ListAPIView):
    parser_classes: ClassVar = [BatchJSONParser, BatchCSVParser]
    serializer_class = BatchSummarySerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[Batch]:
        return selectors.batch_list_for_partner(partner=self.organisation)

    @extend_schema(
        summary="Quote a batch of devices (CSV or JSON), all or nothing",
        description=(
            "`text/csv` with the header `product,variant,identifier` then either `condition` or the answers' "
            "columns (`powers_on,screen,body,functions,battery,accounts_signed_out`), or a JSON array of "
            "`{product, variant, identifier, answers}` (or `condition` instead of `answers`). Up to 5,000 "
            "devices, 2 MB. Every row is checked (known model and variant, a valid IMEI or serial, once in "
            "the file, in no other open trade-in, not reported stolen, valid answers, a price in the market); "
            "if any fails nothing is saved and each error names its row and column (`row 3.identifier`). "
            "Answers one batch quote, valid 14 days. A larger file is a 413."
        ),
        tags=[BATCH_TAG],
        parameters=[MARKET_PARAMETER, IDEMPOTENCY_PARAMETER],
        request={"text/csv": {"type": "string"}, "application/json": BatchRowSerializer(many=True)},
        responses={201: BatchSerializer, 400: PROBLEM, 413: PROBLEM},
        examples=[
            OpenApiExample(
                "CSV",
                media_type="text/csv",
                request_only=True,
                value="product,variant,identifier,condition\niphone-13,42,356938035643809,good\n",
            )
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        if isinstance(request.data, bytes | str):
            rows = batch_files.parse_csv(request.data)
        elif not request.data and (request.content_type or "").startswith("text/csv"):
            rows = batch_files.parse_csv(b"")
        else:
            rows = batch_files.parse_json(request.data)
        batch = batch_quote_create(
            partner=self.require_organisation(),
            actor=self.actor,
            rows=rows,
            market_code=request.query_params.get("market") or None,
        )
        return self.respond_batch(batch, status.HTTP_201_CREATED)


class BatchDetail(BatchEndpoint):
    @extend_schema(
        summary="Get a batch: its devices, parcels and documents", tags=[BATCH_TAG], responses=BatchSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.respond_batch(self.batch(pk))


class BatchAccept(BatchEndpoint):
    @extend_schema(
        summary="Accept a batch quote: payout, parcels and labels",
        description=(
            "Payout: bank_transfer (an IBAN; euro markets) or partner_credit (store credit is for shoppers: 422). "
            "`sender` is where the parcels leave from, the company's business details when left out (none: 400). "
            "Every device is accepted; the batch is split in parcels, each with its label (`labels_url`). "
            "An expired quote is a 409 (quote-expired); an accepted one a 409."
        ),
        tags=[BATCH_TAG],
        request=BatchAcceptSerializer,
        responses=BatchSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        batch = self.batch(pk)
        serializer = BatchAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sender = Contact(**data["sender"]) if data.get("sender") else None
        batch = batch_accept(batch=batch, actor=self.actor, payout=PayoutChoice(**data["payout"]), sender=sender)
        return self.respond_batch(batch)


class BatchCounterOffers(BatchEndpoint):
    @extend_schema(
        summary="Answer the batch's counter-offers in one step",
        description=(
            "`decisions`: one `{tradein, answer}` per device, `accept` (its lower price is paid) or `decline` "
            "(it comes back at Encore's cost). All or nothing: a device of another batch, one without an open "
            "counter-offer, or any other answer is a 400 naming it, and nothing is answered."
        ),
        tags=[BATCH_TAG],
        request=BatchCounterOffersSerializer,
        responses=BatchSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        batch = self.batch(pk)
        serializer = BatchCounterOffersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decisions: dict[int, str] = {}
        for item in serializer.validated_data["decisions"]:
            decisions[item["tradein"]] = item["answer"]
        batch_counter_offers_answer(batch=batch, actor=self.actor, decisions=decisions)
        return self.respond_batch(batch)


class BatchDocument(BatchEndpoint):
    renderer_classes: ClassVar = [JSONRenderer, PdfRenderer]


class BatchLabels(BatchDocument):
    @extend_schema(
        summary="The parcels' prepaid labels (PDF), once accepted",
        tags=[BATCH_TAG],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = self.batch(pk)
        if batch.status != BatchStatus.ACCEPTED:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                "A batch quote has no labels yet: accept it first.",
                extra={"status": batch.status, "allowed": [BatchStatus.ACCEPTED]},
            )
        return _pdf(batch_labels_pdf(batch), f"labels-{batch.reference}.pdf")


class BatchReport(BatchDocument):
    @extend_schema(
        summary="The batch report (PDF): devices, conditions, value paid, CO2e and e-waste avoided",
        tags=[BATCH_TAG],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = self.batch(pk)
        return _pdf(batch_report_pdf(batch), f"report-{batch.reference}.pdf")


class BatchCreditNote(BatchDocument):
    @extend_schema(
        summary="The credit note (PDF) of the devices paid so far",
        tags=[BATCH_TAG],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = self.batch(pk)
        pdf = batch_credit_note_pdf(batch)
        if pdf is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "No device of this batch has been paid yet: no credit note.")
        return _pdf(pdf, f"credit-note-{credit_note_number(batch)}.pdf")


class ZipRenderer(BaseRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else b""


class BatchCertificates(BatchEndpoint):
    renderer_classes: ClassVar = [JSONRenderer, ZipRenderer]

    @extend_schema(
        summary="Every erasure certificate of the batch (one ZIP of PDFs)",
        tags=[BATCH_TAG],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        batch = self.batch(pk)
        archive = batch_certificates_zip(batch)
        if archive is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "No device of this batch has been wiped yet: no certificate.")
        return FileResponse(
            archive,
            as_attachment=True,
            filename=f"erasure-certificates-{batch.reference}.zip",
            content_type="application/zip",
        )
