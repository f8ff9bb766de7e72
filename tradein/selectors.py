"""Trade-in reads with rules: scoping (a shopper's, a partner's), prices (grid, then resale), queues, codes."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import Category, Listing, Product
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import AuditEvent, Market, Organisation, User
from marketplace.money import Money
from marketplace.tenancy import get_scoped_or_404, scope
from tradein.models import (
    Batch,
    BatchParcel,
    BusinessProfile,
    ErasureCertificate,
    Lot,
    Payout,
    PriceGridRow,
    PriceSource,
    TradeIn,
)
from tradein.questionnaire import Question, questionnaire_for
from tradein.rules import offer_from_resale
from tradein.states import LotStatus, PayoutStatus, TradeInStatus

CODE_PATTERN = re.compile(r"^(?:ENCORE-TRADEIN:)?(T[A-Z0-9]{9})$")


def tradein_detail_queryset() -> QuerySet[TradeIn]:
    """Trade-ins with what their page, API answer and events read (one query, no more per row)."""
    return TradeIn.objects.select_related(
        "product__category",
        "variant",
        "market",
        "partner",
        "owner",
        "inspection",
        "counter_offer",
        "certificate",
        "payout",
    )


def root_category_slug(product: Product) -> str:
    """The slug of the product's top-level category (questionnaires are per top-level category)."""
    category: Category = product.category
    seen = 0
    while category.parent_id is not None and seen < 10:
        category = Category.objects.get(pk=category.parent_id)
        seen += 1
    return category.slug


def questions_for_product(product: Product) -> tuple[Question, ...]:
    return questionnaire_for(root_category_slug(product))


# --- prices ------------------------------------------------------------------------------------
def resale_prices(*, product: Product, storage_gb: int | None, market: Market) -> list[Money]:
    """The current resale prices of a model and storage in a market: its visible listings, any colour and grade."""
    amounts = (
        Listing.objects.visible()
        .filter(variant__product=product, variant__storage_gb=storage_gb, market=market)
        .values_list("price_amount", flat=True)
    )
    return [Money(amount, market.currency) for amount in amounts]


def tradein_price(
    *, product: Product, storage_gb: int | None, condition: str, market: Market
) -> tuple[Money, str] | None:
    """What the platform offers: the grid's row for (model, storage, condition, market), else the
    documented function of the current resale prices (`rules.offer_from_resale`); None without either."""
    row = PriceGridRow.objects.filter(
        product=product, storage_gb=storage_gb, condition=condition, market=market
    ).first()
    if row is not None:
        return row.price, PriceSource.GRID
    offer = offer_from_resale(resale_prices(product=product, storage_gb=storage_gb, market=market), condition)
    return (offer, PriceSource.RESALE) if offer is not None else None


def tradein_prices(
    *, wanted: set[tuple[int, int | None, str]], market: Market
) -> dict[tuple[int, int | None, str], tuple[Money, str]]:
    """`tradein_price` for many (product id, storage, condition) at once (a business batch): the grid's
    rows in one query, then the resale-price function once per model and storage without a row.
    Keys without any price are left out."""
    product_ids = {product_id for product_id, _storage, _condition in wanted}
    grid = {
        (row.product_id, row.storage_gb, row.condition): row.price
        for row in PriceGridRow.objects.filter(product_id__in=product_ids, market=market)
    }
    prices: dict[tuple[int, int | None, str], tuple[Money, str]] = {}
    resale: dict[tuple[int, int | None], list[Money]] = {}
    for key in wanted:
        if key in grid:
            prices[key] = (grid[key], PriceSource.GRID)
            continue
        product_id, storage, condition = key
        if (product_id, storage) not in resale:
            amounts = (
                Listing.objects.visible()
                .filter(variant__product_id=product_id, variant__storage_gb=storage, market=market)
                .values_list("price_amount", flat=True)
            )
            resale[(product_id, storage)] = [Money(amount, market.currency) for amount in amounts]
        offer = offer_from_resale(resale[(product_id, storage)], condition)
        if offer is not None:
            prices[key] = (offer, PriceSource.RESALE)
    return prices


# --- one trade-in, scoped -----------------------------------------------------------------------
def tradein_get_for_owner(*, owner: User, reference: str) -> TradeIn:
    """A shopper's own trade-in by its code; another's is a plain 404."""
    return get_object_or_404(tradein_detail_queryset().filter(owner=owner), reference=reference)


def tradein_list_for_owner(*, owner: User) -> QuerySet[TradeIn]:
    return tradein_detail_queryset().filter(owner=owner).order_by("-created_at", "-id")


def quote_get_public(*, reference: str) -> TradeIn:
    """A storefront quote by its code (the code is the capability; partner quotes are not here)."""
    return get_object_or_404(tradein_detail_queryset().filter(partner__isnull=True), reference=reference)


def tradein_list_for_partner(*, partner: Organisation | None, status: str | None = None) -> QuerySet[TradeIn]:
    queryset = scope(tradein_detail_queryset(), partner, field="partner")
    return queryset.filter(status=status) if status else queryset


def tradein_get_for_partner(*, partner: Organisation | None, id: int) -> TradeIn:
    """A partner's own trade-in; another's (or a storefront one) is a plain 404."""
    return get_scoped_or_404(tradein_detail_queryset(), partner, field="partner", pk=id)


def tradein_get_for_staff(*, reference: str) -> TradeIn:
    return get_object_or_404(tradein_detail_queryset().prefetch_related("photos"), reference=reference)


def tradein_by_code(code: str) -> TradeIn:
    """The trade-in a label's QR payload or typed code names. Raises VALIDATION for something that is
    not a trade-in code (another label's QR, a URL), NOT_FOUND for a code of no trade-in."""
    cleaned = re.sub(r"\s+", "", code or "").upper()
    match = CODE_PATTERN.match(cleaned)
    if match is None:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "This is not a trade-in label: a trade-in code is T (a parcel of a business batch: P) followed by 9 "
            "letters and digits.",
            errors=[{"field": "code", "message": "Not a trade-in code."}],
        )
    tradein = tradein_detail_queryset().filter(reference=match.group(1)).first()
    if tradein is None:
        raise ApplicationError(
            ErrorCode.NOT_FOUND,
            f"No trade-in has the code {match.group(1)}.",
            errors=[{"field": "code", "message": "Unknown code."}],
        )
    return tradein


PARCEL_PATTERN = re.compile(r"^(?:ENCORE-PARCEL:)?(P[A-Z0-9]{9})$")


def intake_target(code: str) -> TradeIn | BatchParcel:
    """What the intake station scanned or was typed: a trade-in's label (`T...`) or a business batch's
    parcel (`P...`). Raises VALIDATION for anything else, NOT_FOUND for a code of nothing."""
    cleaned = re.sub(r"\s+", "", code or "").upper()
    match = PARCEL_PATTERN.match(cleaned)
    if match is None:
        return tradein_by_code(code)
    parcel = BatchParcel.objects.select_related("batch").filter(reference=match.group(1)).first()
    if parcel is None:
        raise ApplicationError(
            ErrorCode.NOT_FOUND,
            f"No parcel has the code {match.group(1)}.",
            errors=[{"field": "code", "message": "Unknown code."}],
        )
    return parcel


def tradein_by_tracking_number(tracking_number: str) -> TradeIn | None:
    return TradeIn.objects.filter(tracking_number=tracking_number.strip().upper()).first()


# --- timelines ----------------------------------------------------------------------------------
def tradein_timelines(ids: list[int]) -> dict[int, list[dict[str, object]]]:
    """Each trade-in's status changes, oldest first: [{"status", "at"}] (one query for a page of them)."""
    content_type = ContentType.objects.get_for_model(TradeIn)
    rows = (
        AuditEvent.objects.filter(content_type=content_type, object_id__in=[str(i) for i in ids])
        .exclude(to_status="")
        .order_by("at", "id")
        .values_list("object_id", "to_status", "at")
    )
    timelines: dict[int, list[dict[str, object]]] = defaultdict(list)
    for object_id, to_status, at in rows:
        if to_status in TradeInStatus.values:
            timelines[int(object_id)].append({"status": to_status, "at": at})
    return timelines


def timeline_labelled(timeline: list[dict[str, object]]) -> list[dict[str, object]]:
    """A timeline with each status's label, for pages."""
    labels = dict(TradeInStatus.choices)
    return [{**row, "label": labels.get(str(row["status"]), row["status"])} for row in timeline]


# --- console queues -----------------------------------------------------------------------------
def staff_queue(status: str, *, limit: int = 50) -> list[TradeIn]:
    return list(tradein_detail_queryset().filter(status=status).order_by("updated_at", "id")[:limit])


def awaiting_erasure(*, limit: int = 50) -> list[TradeIn]:
    """Devices the platform owns (price final) and has not wiped yet."""
    return list(
        tradein_detail_queryset()
        .filter(status__in=[TradeInStatus.INSPECTED, TradeInStatus.COUNTER_ACCEPTED, TradeInStatus.PAID])
        .filter(certificate__isnull=True)
        .order_by("updated_at", "id")[:limit]
    )


def staff_counts() -> dict[str, int]:
    """Trade-ins per status (the console's dashboard)."""
    counts = dict.fromkeys(TradeInStatus.values, 0)
    for status, count in TradeIn.objects.values_list("status").annotate(n=Count("id")).order_by():
        counts[status] = count
    return counts


def payouts_pending() -> QuerySet[Payout]:
    return Payout.objects.filter(status=PayoutStatus.PENDING).select_related("tradein").order_by("created_at", "id")


def certificate_by_number(number: str) -> ErasureCertificate | None:
    """A certificate by its number for the public page; None for a made-up number."""
    return ErasureCertificate.objects.filter(number=(number or "").strip().upper()).first()


def lots_eligible_devices() -> QuerySet[TradeIn]:
    """Devices that may join a lot: paid for, wiped (certified), not in a lot, not routed."""
    return TradeIn.objects.filter(
        status=TradeInStatus.PAID, certificate__isnull=False, lot__isnull=True
    ).select_related("inspection", "product")


def lots_open(*, now: datetime) -> QuerySet[Lot]:
    return (
        Lot.objects.filter(status=LotStatus.OPEN, closes_at__gt=now)
        .select_related("product")
        .prefetch_related("devices__inspection")
        .order_by("closes_at", "id")
    )


def lots_for_seller(*, seller: Organisation | None, now: datetime) -> QuerySet[Lot]:
    """What a refurbisher sees: the lots open for bids, and the lots it bought (never another's wins)."""
    if seller is None:
        return Lot.objects.none()
    return (
        Lot.objects.filter(Q(status=LotStatus.OPEN, closes_at__gt=now) | Q(status=LotStatus.SOLD, buyer=seller))
        .select_related("product")
        .prefetch_related("devices__inspection", "devices__certificate", "bids")
        .order_by("status", "closes_at", "id")
    )


def lot_get_for_seller(*, seller: Organisation | None, id: int, now: datetime) -> Lot:
    """One lot a seller may see (open, or bought by it); anything else is a plain 404."""
    return get_object_or_404(lots_for_seller(seller=seller, now=now), pk=id)


def best_bid_amount(lot: Lot) -> int | None:
    bid = lot.bids.order_by("-amount", "created_at", "id").first()
    return bid.amount if bid else None


# --- business batches ----------------------------------------------------------------------------
def batch_devices(batch: Batch) -> QuerySet[TradeIn]:
    """A batch's devices with what its page and API answer read (one query)."""
    return (
        TradeIn.objects.filter(batch=batch)
        .select_related("product", "variant", "parcel", "counter_offer", "certificate", "payout", "inspection")
        .order_by("pk")
    )


def batch_list_for_partner(*, partner: Organisation | None) -> QuerySet[Batch]:
    return scope(Batch.objects.select_related("market"), partner, field="partner").order_by("-created_at", "-id")


def batch_get_for_partner(
    *, partner: Organisation | None, id: int | None = None, reference: str | None = None
) -> Batch:
    """A company's own batch by id or code; another's is a plain 404."""
    lookup = {"pk": id} if id is not None else {"reference": (reference or "").upper()}
    return get_scoped_or_404(
        Batch.objects.select_related("market", "partner").prefetch_related("parcels"),
        partner,
        field="partner",
        **lookup,
    )


def business_profile(*, partner: Organisation) -> BusinessProfile | None:
    return BusinessProfile.objects.filter(organisation=partner).first()


def batch_progress(batch: Batch) -> dict[str, int]:
    """How many devices of the batch are in each status (one query)."""
    rows = TradeIn.objects.filter(batch=batch).values_list("status").annotate(n=Count("id")).order_by()
    return dict(rows)
