"""What trade-in stores about a person, for `marketplace.privacy`: exported on request, erased on request.

A company's trade-in contact, when it is this person, loses their name, e-mail and phone; the device
wallet's reminders sent to them go. The trade-ins, their payouts and certificates stay (money was paid;
a certificate can still be checked): the seller's address is removed, an IBAN becomes its masked form
(`FR76…0189`: which account was paid, not the account), and their name and IBAN go from the SEPA files
already handed to the bank (the bank keeps its own copy). While a bank transfer is still on its way,
the account cannot be erased yet: Encore pays first.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import User
from marketplace.privacy import ERASED_NAME, erased_email
from tradein.models import BusinessProfile, Payout, SepaBatch, TradeIn, WalletReminder
from tradein.states import PayoutStatus

REDACTED = "ERASED"


def export(user: User) -> dict[str, Any]:
    tradeins = TradeIn.objects.filter(owner=user).select_related("product", "variant").order_by("created_at", "pk")
    profiles = BusinessProfile.objects.filter(email__iexact=user.email).select_related("organisation")
    return {
        "business_contact": [
            {
                "company": profile.organisation.name,
                "contact_name": profile.contact_name,
                "email": profile.email,
                "phone": profile.phone,
            }
            for profile in profiles
        ],
        "device_wallet_reminders": [
            {"kind": kind, "about": subject_id, "sent_at": sent_at.isoformat()}
            for kind, subject_id, sent_at in WalletReminder.objects.filter(user=user)
            .order_by("sent_at", "pk")
            .values_list("kind", "subject_id", "sent_at")
        ],
        "tradeins": [
            {
                "code": tradein.reference,
                "device": f"{tradein.product.name} {tradein.variant.label}",
                "status": tradein.status,
                "quoted_at": tradein.created_at.isoformat(),
                "offer": {"amount": tradein.offer_amount, "currency": tradein.currency},
                "payout_method": tradein.payout_method,
                "iban": tradein.iban,
                "account_holder": tradein.account_holder,
                "sender": {
                    "full_name": tradein.full_name,
                    "email": tradein.email,
                    "phone": tradein.phone,
                    "address_line": tradein.address_line,
                    "postal_code": tradein.postal_code,
                    "city": tradein.city,
                    "country": tradein.country,
                },
            }
            for tradein in tradeins
        ],
    }


def masked_iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return f"{compact[:4]}…{compact[-4:]}" if len(compact) > 8 else ""


def erase(user: User) -> None:
    if Payout.objects.filter(tradein__owner=user, status__in=[PayoutStatus.PENDING, PayoutStatus.BATCHED]).exists():
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "A trade-in payment to your bank account is on its way: your account can be erased once it is paid "
            "(usually within a few business days).",
        )
    # The device wallet's reminders go; a company's trade-in contact that was this person loses their
    # name, address and phone (the company's own details stay).
    WalletReminder.objects.filter(user=user).delete()
    BusinessProfile.objects.filter(email__iexact=user.email).update(
        contact_name=ERASED_NAME, email=erased_email(user.pk, "business-contact"), phone=""
    )
    tradeins = TradeIn.objects.filter(owner=user)
    secrets = {
        value
        for row in tradeins.values_list("iban", "account_holder", "full_name")
        for value in row
        if value and len(value) >= 4
    }
    secrets |= {
        value
        for row in Payout.objects.filter(tradein__owner=user).values_list("iban", "account_holder")
        for value in row
        if value and len(value) >= 4
    }
    for payout in Payout.objects.filter(tradein__owner=user).exclude(iban=""):
        Payout.objects.filter(pk=payout.pk).update(iban=masked_iban(payout.iban), account_holder="")
    for tradein in tradeins.exclude(iban=""):
        TradeIn.objects.filter(pk=tradein.pk).update(iban=masked_iban(tradein.iban))
    tradeins.update(
        full_name=ERASED_NAME,
        email=erased_email(user.pk, "seller"),
        phone="",
        address_line="",
        postal_code="",
        city="",
        account_holder="",
    )
    if secrets:
        condition = Q()
        for value in secrets:
            condition |= Q(xml__contains=value)
        for batch in SepaBatch.objects.filter(condition):
            xml = batch.xml
            for value in secrets:
                xml = xml.replace(value, REDACTED)
            SepaBatch.objects.filter(pk=batch.pk).update(xml=xml)
