"""The seller ledger: double entry, each journal's entries sum to zero (debit +, credit -).

- sale (seller order paid): cash +gross, seller_pending -net, commission -commission
- release (return window over, seller order completed): seller_pending +net, seller_available -net
- refund: cash -amount, seller_pending|seller_available +net share, commission +commission share, and on a US
  order sales_tax +the tax given back with the goods (the shares are the goods', the tax was never the seller's)
- sales tax (US, with the sale): cash +tax, sales_tax -tax (owed to the state, not to a seller)
- payout: seller_available +amount, cash -amount (a failed transfer books the reverse)
- hold (a claim or return open on a line): seller_pending|seller_available +net share, seller_held -net share;
  hold_release books it back (into seller_available once the seller order has completed)
- dispute (a card dispute opened on the order): seller_pending|seller_available +net share, seller_held -net share;
  dispute_release (won) books it back; dispute_lost: cash -disputed, seller_held +net share, commission +rest
- retainer (a payout retainer on the seller when the sale is paid): seller_pending +share, seller_retained
  -share; retainer_release books it back 60 days later (into seller_available once completed)
Mystery orders are paid by the platform: their sale's debit goes to audit_cost instead of cash (what
audits cost, in the ledger).
A seller's balance is what the platform owes it: minus the sum of its seller_* accounts
(`orders.selectors.seller_balances`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from marketplace.models import Organisation
from marketplace.money import Money
from orders.models import (
    Dispute,
    DisputeStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentProvider,
    Payout,
    PayoutMeasure,
    PayoutMeasureKind,
    Refund,
    RetainedSale,
    SellerOrder,
)
from orders.states import SellerOrderStatus

A = LedgerAccount


def _cash_account(payment: Payment | None) -> str:
    if payment is not None and payment.provider == PaymentProvider.INVOICE:
        return A.RECEIVABLE
    if payment is not None and payment.provider == PaymentProvider.PLATFORM:
        return A.AUDIT_COST  # a mystery order: the platform paid itself; this is what audits cost
    return A.CASH


def _book(kind: str, rows: list[tuple[str, int]], *, currency: str, **links: object) -> list[LedgerEntry]:
    if sum(amount for _, amount in rows) != 0:
        raise ValueError("A journal must balance")
    journal = uuid.uuid4()
    return LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(journal=journal, kind=kind, account=account, amount=amount, currency=currency, **links)
            for account, amount in rows
            if amount != 0
        ]
    )


def book_sales(*, seller_orders: list[SellerOrder], payment: Payment) -> None:
    """Paid: the platform holds the money; each seller is owed its net, pending the return window.

    One journal per seller order (cash +gross, seller_pending -net, commission -commission), one INSERT.
    """
    entries: list[LedgerEntry] = []
    for seller_order in seller_orders:
        journal = uuid.uuid4()
        net = seller_order.subtotal_amount - seller_order.commission_amount
        rows = [
            (_cash_account(payment), seller_order.subtotal_amount),
            (A.SELLER_PENDING, -net),
            (A.COMMISSION, -seller_order.commission_amount),
        ]
        entries.extend(
            LedgerEntry(
                journal=journal,
                kind=LedgerKind.SALE,
                account=account,
                amount=amount,
                currency=seller_order.currency,
                seller_id=seller_order.seller_id,
                seller_order=seller_order,
            )
            for account, amount in rows
            if amount != 0
        )
    LedgerEntry.objects.bulk_create(entries)
    _retain_shares(seller_orders)


def _retain_shares(seller_orders: list[SellerOrder]) -> None:
    """Hold the share of each sale that a payout retainer on its seller asks for (one query for the
    retainers of all these sellers; nothing when none has one)."""
    now = timezone.now()
    measures = {
        measure.seller_id: measure
        for measure in PayoutMeasure.objects.filter(
            Q(lifted_at__isnull=True),
            kind=PayoutMeasureKind.RETAINER,
            seller_id__in={seller_order.seller_id for seller_order in seller_orders},
            starts_at__lte=now,
            ends_at__gt=now,
        ).order_by("starts_at", "pk")
    }
    for seller_order in seller_orders:
        measure = measures.get(seller_order.seller_id)
        if measure is None or measure.basis_points is None:
            continue
        net = seller_order.subtotal_amount - seller_order.commission_amount
        share = int((Decimal(net) * measure.basis_points / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if share <= 0:
            continue
        RetainedSale.objects.create(
            seller_order=seller_order,
            measure=measure,
            seller_id=seller_order.seller_id,
            amount=share,
            currency=seller_order.currency,
            retained_at=now,
            release_at=now + timedelta(days=measure.hold_days or 60),
        )
        book_retained(seller_order=seller_order, amount=share)


def book_retained(*, seller_order: SellerOrder, amount: int, release: bool = False) -> None:
    """Retain (or release) a share of a sale: from the seller's pending account into `seller_retained`, and
    back into its pending or payable account (payable once the seller order has completed)."""
    if amount <= 0:
        return
    if release:
        rows = [(seller_account_of(seller_order), -amount), (A.SELLER_RETAINED, amount)]
    else:
        rows = [(A.SELLER_PENDING, amount), (A.SELLER_RETAINED, -amount)]
    _book(
        LedgerKind.RETAINER_RELEASE if release else LedgerKind.RETAINER,
        rows,
        currency=seller_order.currency,
        seller_id=seller_order.seller_id,
        seller_order=seller_order,
    )


def book_release(*, seller_order: SellerOrder) -> None:
    """Completed: what is still pending for this seller order becomes payable."""
    pending = -(
        LedgerEntry.objects.filter(seller_order=seller_order, account=A.SELLER_PENDING).aggregate(t=Sum("amount"))["t"]
        or 0
    )
    if pending <= 0:
        return
    _book(
        LedgerKind.RELEASE,
        [(A.SELLER_PENDING, pending), (A.SELLER_AVAILABLE, -pending)],
        currency=seller_order.currency,
        seller_id=seller_order.seller_id,
        seller_order=seller_order,
    )


def commission_share(*, seller_order: SellerOrder, amount: int) -> int:
    """The part of a refund that was commission: the seller order's own rate, rounded half up once."""
    if seller_order.subtotal_amount == 0:
        return 0
    raw = Decimal(amount) * Decimal(seller_order.commission_amount) / Decimal(seller_order.subtotal_amount)
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def seller_account_of(seller_order: SellerOrder) -> str:
    """Where a seller order's money sits now: payable once it completed (the return window is over),
    pending before."""
    if seller_order.completed_at is not None or seller_order.status == SellerOrderStatus.COMPLETED:
        return A.SELLER_AVAILABLE
    return A.SELLER_PENDING


def book_refund(*, refund: Refund, seller_order: SellerOrder, payment: Payment) -> None:
    """Claw back: money leaves the platform; the seller's share of the goods comes off its pending or payable
    balance, and the sales tax given back with them (US) off what the platform holds for the state."""
    goods = refund.amount - refund.sales_tax_amount
    commission = commission_share(seller_order=seller_order, amount=goods)
    net = goods - commission
    seller_account = seller_account_of(seller_order)
    rows = [(_cash_account(payment), -refund.amount), (seller_account, net), (A.COMMISSION, commission)]
    if refund.sales_tax_amount:
        rows.append((A.SALES_TAX, refund.sales_tax_amount))
    _book(
        LedgerKind.REFUND,
        rows,
        currency=refund.currency,
        seller_id=seller_order.seller_id,
        seller_order=seller_order,
        refund=refund,
    )


def book_refund_reversal(*, refund: Refund) -> None:
    """A refund that failed for good: its claw-back journal is booked in reverse (the seller is owed again)."""
    entries = list(LedgerEntry.objects.filter(refund=refund, kind=LedgerKind.REFUND))
    if not entries:
        return
    _book(
        LedgerKind.REFUND,
        [(entry.account, -entry.amount) for entry in entries],
        currency=refund.currency,
        seller_id=entries[0].seller_id,
        seller_order_id=refund.seller_order_id,
        refund=refund,
    )


def book_hold(*, seller_order: SellerOrder, amount: int, release: bool = False) -> None:
    """Hold (or release) part of a seller order's net while a claim or return is open on it: from the
    seller's pending or payable account into `seller_held`, and back. Payouts pay only `seller_available`,
    so held money waits; a release after completion lands in the payable account."""
    if amount <= 0:
        return
    account = seller_account_of(seller_order)
    rows = [(account, amount), (A.SELLER_HELD, -amount)]
    if release:
        rows = [(account, -amount), (A.SELLER_HELD, amount)]
    _book(
        LedgerKind.HOLD_RELEASE if release else LedgerKind.HOLD,
        rows,
        currency=seller_order.currency,
        seller_id=seller_order.seller_id,
        seller_order=seller_order,
    )


def book_dispute(*, dispute: Dispute, seller_order: SellerOrder, outcome: str = "") -> None:
    """A card dispute on a seller order's money. Opened (`outcome` ""): the seller's net share of the
    disputed amount goes from its pending or payable account into `seller_held`. Won: back. Lost: the
    disputed amount leaves the platform's cash for the cardholder; the held share is what the seller loses,
    the rest is the commission given up (as a refund books it)."""
    held, amount = dispute.held_amount, dispute.amount
    account = seller_account_of(seller_order)
    rows: list[tuple[str, int]]
    if outcome == DisputeStatus.LOST:
        kind = LedgerKind.DISPUTE_LOST
        rows = [(A.CASH, -amount), (A.SELLER_HELD, held), (A.COMMISSION, amount - held)]
    elif outcome == DisputeStatus.WON:
        kind = LedgerKind.DISPUTE_RELEASE
        rows = [(account, -held), (A.SELLER_HELD, held)]
    else:
        kind = LedgerKind.DISPUTE
        rows = [(account, held), (A.SELLER_HELD, -held)]
    if not any(value for _, value in rows):
        return
    _book(kind, rows, currency=dispute.currency, seller_id=dispute.seller_id, seller_order=seller_order)


def book_payout(*, payout: Payout, reverse: bool = False) -> None:
    """Paid out: the payable balance goes to the seller's account; `reverse` books a refused transfer back."""
    sign = -1 if reverse else 1
    _book(
        LedgerKind.PAYOUT,
        [(A.SELLER_AVAILABLE, sign * payout.amount), (A.CASH, -sign * payout.amount)],
        currency=payout.currency,
        seller_id=payout.seller_id,
        payout=payout,
    )


# --- trade-in and store credit -------------------------------------------------------------------
class OwedTo:
    """Who a traded-in device is owed to, i.e. the account credited when the platform buys it."""

    STORE_CREDIT = A.STORE_CREDIT  # a shopper's wallet
    PARTNER = A.PARTNER_PAYABLE  # a partner, settled with its invoices
    BANK = A.CASH  # paid out by SEPA credit transfer


def book_tradein_purchase(
    *, amount: Money, owed_to: str, reference: str, organisation: Organisation | None = None
) -> None:
    """The platform bought a traded-in device: trade-in stock +amount against what pays for it
    (store credit owed, a partner's payable balance, or cash for a bank transfer). `organisation`:
    the partner owed (its ledger is its entries under `seller`, the ledger's organisation column)."""
    if amount.amount <= 0:
        return
    _book(
        LedgerKind.TRADEIN_PURCHASE,
        [(A.TRADEIN_STOCK, amount.amount), (owed_to, -amount.amount)],
        currency=amount.currency,
        seller_id=organisation.pk if organisation is not None else None,
    )


def book_tradein_lot_sale(*, seller: Organisation, amount: Money) -> None:
    """A refurbisher bought a lot: the price comes off its payable balance (seller_available +amount;
    a balance that goes negative is netted against its next sales before any payout)."""
    _book(
        LedgerKind.TRADEIN_LOT_SALE,
        [(A.SELLER_AVAILABLE, amount.amount), (A.TRADEIN_SALES, -amount.amount)],
        currency=amount.currency,
        seller_id=seller.pk,
    )


def book_sales_tax(*, amount: Money, payment: Payment) -> None:
    """US sales tax collected with a sale: the platform holds it for the state (cash +tax, sales_tax -tax).
    It is no seller's money: the seller orders' journals book the goods only."""
    if amount.amount <= 0:
        return
    _book(
        LedgerKind.SALE,
        [(_cash_account(payment), amount.amount), (A.SALES_TAX, -amount.amount)],
        currency=amount.currency,
    )


def book_store_credit_spent(*, amount: Money) -> None:
    """Part of an order was paid with store credit: the sale booked it as cash; it was credit owed."""
    _book(
        LedgerKind.STORE_CREDIT_SPENT,
        [(A.STORE_CREDIT, amount.amount), (A.CASH, -amount.amount)],
        currency=amount.currency,
    )


def book_store_credit_returned(*, amount: Money) -> None:
    """Store credit given back for a refund: the refund took it as cash; it is credit owed again."""
    _book(
        LedgerKind.STORE_CREDIT_RETURNED,
        [(A.CASH, amount.amount), (A.STORE_CREDIT, -amount.amount)],
        currency=amount.currency,
    )


def book_store_credit_taken_back(*, amount: Money) -> None:
    """Store credit given back by a refund that then failed for good, taken back: the reverse of
    `book_store_credit_returned` (booked under the same kind, as a refund's reversal is)."""
    if amount.amount <= 0:
        return
    _book(
        LedgerKind.STORE_CREDIT_RETURNED,
        [(A.CASH, -amount.amount), (A.STORE_CREDIT, amount.amount)],
        currency=amount.currency,
    )


def partner_payable_balance(*, partner: Organisation, currency: str) -> Money:
    """What the platform owes a partner for its customers' trade-ins (partner credit), in `currency`."""
    total = LedgerEntry.objects.filter(seller=partner, account=A.PARTNER_PAYABLE, currency=currency).aggregate(
        t=Sum("amount")
    )["t"]
    return Money(-(total or 0), currency)
