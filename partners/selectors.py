"""Partners' reads with rules: an organisation's endpoints and deliveries (scoped), the partner's
dashboard figures, and the values of its monthly invoice and credit notes.

Every read filters on the organisation first (`marketplace.tenancy`): another organisation's
endpoint or delivery is a plain 404, like a missing one.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from marketplace.models import Market, Organisation
from marketplace.money import Money
from marketplace.tenancy import get_scoped_or_404, scope
from orders.models import Order, OrderChannel, Refund, RefundMethod
from orders.states import OrderStatus, RefundStatus
from partners.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from partners.states import DeliveryStatus

RECENT_FAILURES = timedelta(days=30)


def webhook_endpoint_list(*, organisation: Organisation | None) -> QuerySet[WebhookEndpoint]:
    """The organisation's endpoints, oldest first, each with its failed deliveries of the last 30 days."""
    since = timezone.now() - RECENT_FAILURES
    return scope(WebhookEndpoint.objects.all(), organisation).annotate(
        failed_recently=Count(
            "deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED, deliveries__created_at__gte=since)
        )
    )


def webhook_endpoint_get(*, organisation: Organisation | None, id: int) -> WebhookEndpoint:
    """One of the organisation's endpoints; another's is a plain 404."""
    return get_scoped_or_404(WebhookEndpoint.objects.select_related("organisation"), organisation, pk=id)


def delivery_list(
    *,
    organisation: Organisation | None,
    endpoint: WebhookEndpoint | None = None,
    status: str | None = None,
    event_type: str | None = None,
) -> QuerySet[WebhookDelivery]:
    """The organisation's deliveries, newest first, with their attempts loaded (in order)."""
    queryset = scope(WebhookDelivery.objects.all(), organisation, field="endpoint__organisation")
    if endpoint is not None:
        queryset = queryset.filter(endpoint=endpoint)
    if status:
        queryset = queryset.filter(status=status)
    if event_type:
        queryset = queryset.filter(event_type=event_type)
    return queryset.select_related("endpoint", "event").prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number", "id"))
    )


def delivery_get(*, organisation: Organisation | None, id: int) -> WebhookDelivery:
    """One of the organisation's deliveries; another's is a plain 404."""
    return get_scoped_or_404(
        delivery_list(organisation=organisation), organisation, field="endpoint__organisation", pk=id
    )


# --- The partner's dashboard and documents ------------------------------------------------


def partner_time_zone(partner: Organisation) -> ZoneInfo:
    """The partner's calendar: its country's market time zone (UTC for a country without a market)."""
    market = Market.objects.filter(code=partner.country).first()
    return ZoneInfo(market.time_zone if market else "UTC")


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class Dashboard:
    orders_this_month: int
    amounts_this_month: list[Money]
    failed_deliveries: int
    endpoints_enabled: int
    endpoints_disabled: int
    month_start: date


def partner_dashboard(*, partner: Organisation) -> Dashboard:
    """Orders the partner placed this month (its own calendar) and their amounts per currency;
    its failed deliveries of the last 30 days; its endpoints."""
    zone = partner_time_zone(partner)
    today = timezone.now().astimezone(zone)
    start, end = month_bounds(today.year, today.month, zone)
    orders = Order.objects.filter(partner=partner, created_at__gte=start, created_at__lt=end)
    totals = (
        orders.filter(status=OrderStatus.PAID)
        .values("currency")
        .annotate(amount_sum=Sum("total_amount"))
        .order_by("currency")
    )
    endpoints = WebhookEndpoint.objects.filter(organisation=partner).aggregate(
        enabled_count=Count("id", filter=Q(enabled=True)), disabled_count=Count("id", filter=Q(enabled=False))
    )
    return Dashboard(
        orders_this_month=orders.count(),
        amounts_this_month=[Money(row["amount_sum"], row["currency"]) for row in totals],
        failed_deliveries=WebhookDelivery.objects.filter(
            endpoint__organisation=partner,
            status=DeliveryStatus.FAILED,
            created_at__gte=timezone.now() - RECENT_FAILURES,
        ).count(),
        endpoints_enabled=endpoints["enabled_count"],
        endpoints_disabled=endpoints["disabled_count"],
        month_start=start.date(),
    )


def invoiced_orders(*, partner: Organisation) -> QuerySet[Order]:
    """The partner's orders paid on its invoice."""
    return Order.objects.filter(partner=partner, channel=OrderChannel.PARTNER, status=OrderStatus.PAID)


def credit_notes(*, partner: Organisation) -> QuerySet[Refund]:
    """Refunds of the partner's invoiced orders, made as credit notes (done ones only)."""
    return (
        Refund.objects.filter(
            payment__order__partner=partner, method=RefundMethod.CREDIT_NOTE, status=RefundStatus.SUCCEEDED
        )
        .select_related("payment__order", "seller_order")
        .order_by("-completed_at", "-id")
    )


def invoice_months(*, partner: Organisation) -> list[date]:
    """The months (first days, newest first) with invoiced orders or credit notes, in the partner's calendar."""
    zone = partner_time_zone(partner)
    months: set[date] = set()
    moments = [
        *invoiced_orders(partner=partner).values_list("paid_at", flat=True),
        *credit_notes(partner=partner).values_list("completed_at", flat=True),
    ]
    for moment in moments:
        if moment is not None:
            local = moment.astimezone(zone)
            months.add(date(local.year, local.month, 1))
    return sorted(months, reverse=True)


@dataclass(frozen=True)
class InvoiceLine:
    day: date
    order_number: str
    reference: str
    customer: str
    total: Money
    vat: Money


@dataclass(frozen=True)
class CreditLine:
    day: date
    number: str
    order_number: str
    amount: Money


@dataclass(frozen=True)
class MonthStatement:
    """The values of one month's invoice: orders paid on invoice and credit notes made, per currency."""

    partner: Organisation
    year: int
    month: int
    lines: list[InvoiceLine]
    credits: list[CreditLine]

    @property
    def number(self) -> str:
        return f"INV-{self.partner.pk:05d}-{self.year:04d}{self.month:02d}"

    @property
    def period_end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def totals(self) -> list[tuple[str, Money, Money, Money, Money]]:
        """Per currency: (currency, orders total, VAT included, credited, due)."""
        orders: dict[str, int] = defaultdict(int)
        vat: dict[str, int] = defaultdict(int)
        credited: dict[str, int] = defaultdict(int)
        for line in self.lines:
            orders[line.total.currency] += line.total.amount
            vat[line.total.currency] += line.vat.amount
        for credit in self.credits:
            credited[credit.amount.currency] += credit.amount.amount
        return [
            (
                currency,
                Money(orders[currency], currency),
                Money(vat[currency], currency),
                Money(credited[currency], currency),
                Money(orders[currency] - credited[currency], currency),
            )
            for currency in sorted(set(orders) | set(credited))
        ]


def month_statement(*, partner: Organisation, year: int, month: int) -> MonthStatement:
    """The orders paid on the partner's invoice in that month and the credit notes made in it."""
    zone = partner_time_zone(partner)
    start, end = month_bounds(year, month, zone)
    orders = invoiced_orders(partner=partner).filter(paid_at__gte=start, paid_at__lt=end).order_by("paid_at", "id")
    lines = [
        InvoiceLine(
            day=order.paid_at.astimezone(zone).date() if order.paid_at else start.date(),
            order_number=order.number,
            reference=order.partner_reference,
            customer=order.full_name,
            total=order.total,
            vat=order.vat,
        )
        for order in orders
    ]
    notes = (
        credit_notes(partner=partner)
        .filter(completed_at__gte=start, completed_at__lt=end)
        .order_by("completed_at", "id")
    )
    credits = [
        CreditLine(
            day=note.completed_at.astimezone(zone).date() if note.completed_at else start.date(),
            number=credit_note_number(note),
            order_number=note.payment.order.number,
            amount=note.money,
        )
        for note in notes
    ]
    return MonthStatement(partner=partner, year=year, month=month, lines=lines, credits=credits)


def credit_note_number(refund: Refund) -> str:
    return f"CN-{refund.pk:06d}"


def credit_note_get(*, partner: Organisation, id: int) -> Refund:
    """One of the partner's credit notes; another's is a plain 404."""
    return get_scoped_or_404(credit_notes(partner=partner), partner, field="payment__order__partner", pk=id)
