"""Store credit: a wallet per shopper and currency (DOMAIN.md, Trade-in: payout).

Credit comes from trade-ins (through `store_credit_grant`, called by the trade-in app, which sits
above orders), is spent at checkout in whole or in part (`store_credit_spend`), and comes back
when an order paid with it is refunded or never paid (`store_credit_return`); a refund that gave
it back and then failed for good takes it back (`store_credit_take_back`).

Never below zero: spending is one conditional `UPDATE ... SET balance = balance - x WHERE
balance >= x` whose row count says whether it went through, backed by a CHECK on the balance, so
two checkouts spending the same credit at once end with one refused and no money created. Every
movement is a `StoreCreditEntry`; an account's entries sum to its balance. The general ledger
mirrors the wallets in its `store_credit` account (`orders.services.ledger`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import User
from marketplace.money import Money
from marketplace.transitions import audit_record
from orders.models import Order, StoreCreditAccount, StoreCreditEntry, StoreCreditKind
from orders.services import ledger


def _account(*, user: User, currency: str) -> StoreCreditAccount:
    """The user's account in `currency`, created at zero if missing (race-proof: the unique index decides)."""
    account, _created = StoreCreditAccount.objects.get_or_create(user=user, currency=currency)
    return account


def store_credit_grant(*, user: User, amount: Money, reference: str, actor: Actor, memo: str = "") -> StoreCreditEntry:
    """Credit `amount` to the user's wallet for a trade-in, once per `reference` (a second call with
    the same reference returns the first entry and credits nothing). Books the trade-in purchase in
    the ledger (trade-in stock against store credit owed). Must be positive."""
    if amount.amount <= 0:
        raise ApplicationError(ErrorCode.VALIDATION, "Store credit is a positive amount.")
    existing = StoreCreditEntry.objects.filter(kind=StoreCreditKind.TRADEIN, reference=reference).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        account = _account(user=user, currency=amount.currency)
        try:
            with transaction.atomic():
                entry = StoreCreditEntry.objects.create(
                    account=account,
                    kind=StoreCreditKind.TRADEIN,
                    amount=amount.amount,
                    currency=amount.currency,
                    reference=reference,
                    memo=memo[:200],
                )
        except IntegrityError:
            return StoreCreditEntry.objects.get(kind=StoreCreditKind.TRADEIN, reference=reference)
        StoreCreditAccount.objects.filter(pk=account.pk).update(
            balance_amount=F("balance_amount") + amount.amount, updated_at=timezone.now()
        )
        ledger.book_tradein_purchase(amount=amount, owed_to=ledger.OwedTo.STORE_CREDIT, reference=reference)
        audit_record(obj=account, actor=actor, from_status="", to_status="credited", reason=f"{amount} {reference}")
    return entry


def store_credit_spend(*, user: User, order: Order, amount: Money, actor: Actor) -> StoreCreditEntry:
    """Take `amount` from the user's wallet to pay part (or all) of `order`. Runs inside the caller's
    transaction (checkout), so a refused order spends nothing.

    One conditional UPDATE: never below zero, even with two checkouts at once.
    Raises STORE_CREDIT_INSUFFICIENT (nothing taken), CURRENCY_MISMATCH, VALIDATION.
    """
    if amount.amount <= 0:
        raise ApplicationError(ErrorCode.VALIDATION, "Store credit spent is a positive amount.")
    if amount.currency != order.currency:
        raise ApplicationError(ErrorCode.CURRENCY_MISMATCH, "Store credit is spent in the order's currency.")
    with transaction.atomic():
        taken = StoreCreditAccount.objects.filter(
            user=user, currency=amount.currency, balance_amount__gte=amount.amount
        ).update(balance_amount=F("balance_amount") - amount.amount, updated_at=timezone.now())
        if taken != 1:
            balance = store_credit_balance(user=user, currency=amount.currency)
            raise ApplicationError(
                ErrorCode.STORE_CREDIT_INSUFFICIENT,
                f"Your store credit is {balance}; it cannot pay {amount}.",
                errors=[{"field": "store_credit", "message": f"At most {balance}."}],
            )
        account = StoreCreditAccount.objects.get(user=user, currency=amount.currency)
        return StoreCreditEntry.objects.create(
            account=account,
            kind=StoreCreditKind.SPENT,
            amount=-amount.amount,
            currency=amount.currency,
            order=order,
            reference=order.number,
            memo=f"order {order.number}",
        )


def store_credit_return(
    *, order: Order, amount: Money, reference: str, actor: Actor, memo: str = ""
) -> StoreCreditEntry | None:
    """Give back up to `amount` of the credit spent on `order` (refunded, or never paid), once per
    `reference`. Never more than was spent on the order and not yet given back: returns the entry,
    or None when there is nothing (left) to give back."""
    with transaction.atomic():
        spent_entry = (
            StoreCreditEntry.objects.select_related("account")
            .select_for_update(of=("self",))
            .filter(order=order, kind=StoreCreditKind.SPENT)
            .first()
        )
        if spent_entry is None:
            return None
        existing = StoreCreditEntry.objects.filter(kind=StoreCreditKind.RETURNED, reference=reference).first()
        if existing is not None:
            return existing
        already = sum(  # given back, less what failed refunds took back
            StoreCreditEntry.objects.filter(
                order=order, kind__in=[StoreCreditKind.RETURNED, StoreCreditKind.TAKEN_BACK]
            ).values_list("amount", flat=True)
        )
        left = -spent_entry.amount - already
        give = min(left, amount.amount)
        if give <= 0:
            return None
        account = spent_entry.account
        entry = StoreCreditEntry.objects.create(
            account=account,
            kind=StoreCreditKind.RETURNED,
            amount=give,
            currency=account.currency,
            order=order,
            reference=reference,
            memo=(memo or f"order {order.number}")[:200],
        )
        StoreCreditAccount.objects.filter(pk=account.pk).update(
            balance_amount=F("balance_amount") + give, updated_at=timezone.now()
        )
        audit_record(
            obj=account, actor=actor, from_status="", to_status="credit returned", reason=f"{give} {reference}"
        )
    return entry


def store_credit_take_back(*, order: Order, reference: str, actor: Actor) -> StoreCreditEntry | None:
    """Take back the store credit a refund gave back first (`store_credit_return` under `reference`,
    the refund's key + "-credit"), because that refund failed for good: the payment and the seller's
    claw-back are reversed, so the credit must go too or money would be created.

    Preconditions: runs in the caller's transaction (the refund's failure). Once per `reference`
    (a second call takes nothing). Never below zero: the account is locked and at most its balance
    is taken; if the shopper has spent part of the credit meanwhile, the part that could not be taken
    back is written in the audit trail as a shortfall for finance (the refund's failure is logged
    for a person to look at). Side effects: a `taken_back` entry (negative) on the account and the
    order, the balance lowered, an audit row. Returns the entry, or None when nothing was given back
    under `reference`, it was taken back already, or the balance is zero.
    """
    with transaction.atomic():
        returned = (
            StoreCreditEntry.objects.select_for_update(of=("self",))
            .filter(kind=StoreCreditKind.RETURNED, reference=reference, order=order)
            .first()
        )
        if returned is None:
            return None
        if StoreCreditEntry.objects.filter(kind=StoreCreditKind.TAKEN_BACK, reference=reference).exists():
            return None
        account = StoreCreditAccount.objects.select_for_update().get(pk=returned.account_id)
        take = min(returned.amount, account.balance_amount)
        shortfall = returned.amount - take
        entry = None
        if take > 0:
            StoreCreditAccount.objects.filter(pk=account.pk, balance_amount__gte=take).update(
                balance_amount=F("balance_amount") - take, updated_at=timezone.now()
            )
            entry = StoreCreditEntry.objects.create(
                account=account,
                kind=StoreCreditKind.TAKEN_BACK,
                amount=-take,
                currency=account.currency,
                order=order,
                reference=reference,
                memo=f"refund failed: order {order.number}"[:200],
            )
        reason = f"{Money(take, account.currency)} {reference}"
        if shortfall:
            reason += f"; {Money(shortfall, account.currency)} already spent, not taken back"
        audit_record(obj=account, actor=actor, from_status="", to_status="credit taken back", reason=reason)
    return entry


def store_credit_spent_on(*, order: Order) -> Money:
    """The store credit spent on `order`, less what was given back and not taken back (zero in the
    order's currency if none)."""
    amounts = StoreCreditEntry.objects.filter(
        order=order, kind__in=[StoreCreditKind.SPENT, StoreCreditKind.RETURNED, StoreCreditKind.TAKEN_BACK]
    ).values_list("amount", flat=True)
    return Money(-sum(amounts), order.currency)


def store_credit_balance(*, user: User, currency: str) -> Money:
    """The user's store credit in `currency` (zero without an account)."""
    amount = (
        StoreCreditAccount.objects.filter(user=user, currency=currency).values_list("balance_amount", flat=True).first()
    )
    return Money(amount or 0, currency)


def order_amount_due(*, order: Order, credit: Money | None = None) -> Money:
    """What the payment provider is asked for: the order's total less the store credit spent on it
    (`credit`, when the caller has just read it with `store_credit_spent_on`)."""
    return order.total - (credit if credit is not None else store_credit_spent_on(order=order))


def store_credit_returned_for(*, reference: str) -> Money | None:
    """The store credit given back under `reference` (a refund's key + "-credit"), if any."""
    entry = StoreCreditEntry.objects.filter(kind=StoreCreditKind.RETURNED, reference=reference).first()
    return entry.money if entry is not None else None
