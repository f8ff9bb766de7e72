"""Stripe Connect onboarding: a seller's owner connects the payout account from the back-office.

1. `payout_account_onboard` creates the seller's Express account through the Stripe SDK (once: the
   account's idempotency key names the seller, and an existing account is reused), then asks Stripe for
   an Account Link, the hosted onboarding page the owner is sent to. Nobody types an account id.
2. Stripe sends the owner back to the return URL (`payout_account_refresh` reads the account's state
   at once) or, when the link expired, to the refresh URL (a new link).
3. From then on the state (details submitted, charges and payouts enabled, requirements due) follows
   Stripe's signed `account.updated` events (`payout_account_sync`, through the one webhook).

Payouts go only to accounts whose payouts Stripe enabled (`orders.services.payouts`). While checkout runs
on the test provider (no Stripe keys), connecting makes a test account, ready at once and clearly
labelled: payouts to it are test transfers, never money.
"""

from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import Organisation
from marketplace.transitions import audit_record
from orders import gateways
from orders.gateways import ConnectedAccount
from orders.models import SellerPayoutAccount

logger = logging.getLogger(__name__)


def payout_account_state(account: SellerPayoutAccount | None) -> str:
    """One word for the account's state: none, onboarding (details missing), restricted (Stripe asks for
    more or disabled payouts), ready."""
    if account is None:
        return "none"
    if account.payouts_enabled:
        return "ready"
    if not account.details_submitted:
        return "onboarding"
    return "restricted"


def payout_account_onboard(*, seller: Organisation, actor: Actor, return_url: str, refresh_url: str) -> str:
    """The URL to send the seller's owner to: Stripe's onboarding for its Connect account (created
    now when it has none), or, on the test provider, `return_url` (a test account, ready). Audited when
    the account is created. Raises PAYMENT_PROVIDER_ERROR when Stripe refuses."""
    account = SellerPayoutAccount.objects.filter(seller=seller).first()
    if not gateways.stripe_configured():
        if account is None:
            _account_save(
                seller=seller,
                actor=actor,
                state=ConnectedAccount(
                    id=f"acct_test_{uuid.uuid4().hex[:16]}",
                    details_submitted=True,
                    charges_enabled=True,
                    payouts_enabled=True,
                    requirements_due=[],
                    disabled_reason="",
                ),
                is_test=True,
            )
        return return_url
    if account is None or account.is_test:
        email = (
            seller.memberships.filter(role="owner").order_by("pk").values_list("user__email", flat=True).first() or ""
        )
        # Outside any lock: a network call. Two clicks at once get the same account (the key names the seller).
        state = gateways.connect_account_create(seller_id=seller.pk, email=email, country=seller.country.upper())
        account = _account_save(seller=seller, actor=actor, state=state, is_test=False)
    return gateways.connect_account_link(
        account_id=account.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )


def _account_save(*, seller: Organisation, actor: Actor, state: ConnectedAccount, is_test: bool) -> SellerPayoutAccount:
    with transaction.atomic():
        existing = SellerPayoutAccount.objects.select_for_update().filter(seller=seller).first()
        if existing is not None and not existing.is_test:
            return existing  # a concurrent click saved it first
        fields = _state_fields(state)
        try:
            with transaction.atomic():
                if existing is not None:  # a test account replaced by a real one once Stripe is configured
                    SellerPayoutAccount.objects.filter(pk=existing.pk).update(
                        stripe_account_id=state.id, is_test=is_test, **fields
                    )
                    account = SellerPayoutAccount.objects.get(pk=existing.pk)
                else:
                    account = SellerPayoutAccount.objects.create(
                        seller=seller, stripe_account_id=state.id, is_test=is_test, **fields
                    )
        except IntegrityError:
            return SellerPayoutAccount.objects.get(seller=seller)
        audit_record(
            obj=account,
            actor=actor,
            from_status="",
            to_status=payout_account_state(account),
            reason=f"payout account {state.id} connected" + (" (test provider)" if is_test else ""),
            organisation=seller,
        )
    return account


def _state_fields(state: ConnectedAccount) -> dict[str, object]:
    return {
        "details_submitted": state.details_submitted,
        "charges_enabled": state.charges_enabled,
        "payouts_enabled": state.payouts_enabled,
        "requirements_due": state.requirements_due,
        "disabled_reason": state.disabled_reason,
        "synced_at": timezone.now(),
    }


def payout_account_sync(*, state: ConnectedAccount, actor: Actor) -> SellerPayoutAccount | None:
    """Keep what Stripe says of an account (an `account.updated` event or a fresh read). A change of state
    (ready, restricted, onboarding) is audited under the seller. None for an account Encore does not know."""
    with transaction.atomic():
        account = (
            SellerPayoutAccount.objects.select_for_update()
            .select_related("seller")
            .filter(stripe_account_id=state.id)
            .first()
        )
        if account is None:
            logger.warning("account.updated for an unknown Connect account %s", state.id)
            return None
        before = payout_account_state(account)
        for name, value in _state_fields(state).items():
            setattr(account, name, value)
        account.save(update_fields=[*_state_fields(state).keys()])
        after = payout_account_state(account)
        if after != before:
            reason = ", ".join(state.requirements_due[:5]) or state.disabled_reason
            audit_record(
                obj=account,
                actor=actor,
                from_status=before,
                to_status=after,
                reason=reason,
                organisation=account.seller,
            )
    return account


def payout_account_refresh(*, seller: Organisation, actor: Actor) -> SellerPayoutAccount | None:
    """Read the seller's account from Stripe now (the owner came back from onboarding; the event may lag).
    A Stripe error leaves the state as the last event left it."""
    account = SellerPayoutAccount.objects.filter(seller=seller).first()
    if account is None or account.is_test or not gateways.stripe_configured():
        return account
    try:
        state = gateways.connect_account_retrieve(account_id=account.stripe_account_id)
    except ApplicationError:  # the webhook will bring the state; the page must still show
        logger.warning("Could not read Connect account %s", account.stripe_account_id, exc_info=True)
        return account
    return payout_account_sync(state=state, actor=actor)
