"""Trade-in: the platform buys used devices and routes them to refurbishers (DOMAIN.md, Trade-in).

One `TradeIn` row carries a device from its quote to its route; its inspection, photos,
counter-offer, erasure certificate and payout hang off it. The price grid and the lots sold to
refurbishers are tables of their own. Money is `<name>_amount` (minor units) beside one
`currency` column per row. The database refuses what must never happen: a status outside its
lifecycle, an accepted trade-in without an owner, a negative price, two payouts or certificates for
one device, a certificate that did not pass, a device in two lots.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, Organisation
from marketplace.money import Money
from marketplace.storage import private_storage
from tradein.states import (
    BatchStatus,
    Condition,
    CounterOfferOutcome,
    CounterOfferReason,
    ErasureMethod,
    ErasureResult,
    LotStatus,
    PayoutMethod,
    PayoutStatus,
    ReminderKind,
    Route,
    TradeInStatus,
)

# Unambiguous upper-case letters and digits: read from a label, typed at the intake station.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _reference() -> str:
    return "T" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(9))


def _certificate_number() -> str:
    # 16 random characters (80 bits): a made-up number is never a real one.
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return f"EC-{body[:4]}-{body[4:8]}-{body[8:12]}-{body[12:]}"


class PriceGridRow(models.Model):
    """What the platform pays for a model, storage, condition and market (imported by CSV by staff)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="tradein_prices")
    storage_gb = models.PositiveIntegerField(_("storage (GB)"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    price_amount = models.BigIntegerField(_("price (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("product", "storage_gb", "market", "condition")
        verbose_name = _("trade-in price")
        verbose_name_plural = _("trade-in price grid")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("product", "storage_gb", "condition", "market"),
                name="tradein_grid_one_price",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(price_amount__gte=0), name="tradein_grid_price_not_negative"),
            models.CheckConstraint(condition=Q(condition__in=Condition.values), name="tradein_grid_condition_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.storage_gb} {self.condition} {self.market_id}"

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)


class PriceSource(models.TextChoices):
    GRID = "grid", _("Price grid")
    RESALE = "resale", _("Current resale prices")
    GUARANTEE = "guarantee", _("Guaranteed buy-back")


def _batch_reference() -> str:
    return "B" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(9))


def _parcel_reference() -> str:
    return "P" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(9))


class BusinessProfile(models.Model):
    """A business's trade-in details (a partner organisation): where its parcels come from and where a
    declined device goes back, and who to write to. Set in the partner back-office; a batch copies it
    when accepted. The contact person's name, e-mail and phone are personal data (privacy registry)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="tradein_profile")
    company_name = models.CharField(_("company name"), max_length=150)
    contact_name = models.CharField(_("contact person"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_line = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("business trade-in details")
        verbose_name_plural = _("business trade-in details")

    def __str__(self) -> str:
        return self.company_name


class Batch(models.Model):
    """A business trade-in: many devices quoted at once (one batch quote), accepted at once with one
    payout method, sent in parcels; each device is a `TradeIn` of the batch, inspected and paid on its own."""

    reference = models.CharField(_("code"), max_length=12, unique=True, default=_batch_reference)
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tradein_batches")
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUOTED)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    device_count = models.PositiveIntegerField(_("devices"))
    offer_total_amount = models.BigIntegerField(_("batch quote (minor units)"))
    expires_at = models.DateTimeField(_("quote valid until"))
    partner_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    payout_method = models.CharField(_("payout"), max_length=16, choices=PayoutMethod.choices, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    send_by = models.DateTimeField(_("send by"), null=True, blank=True)
    created_at = models.DateTimeField(_("quoted"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("trade-in batch")
        verbose_name_plural = _("trade-in batches")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="batch_status_valid"),
            models.CheckConstraint(condition=Q(device_count__gte=1), name="batch_has_devices"),
            models.CheckConstraint(condition=Q(offer_total_amount__gte=0), name="batch_offer_not_negative"),
            models.CheckConstraint(
                condition=~Q(status=BatchStatus.ACCEPTED) | ~Q(payout_method=""), name="batch_accepted_has_payout"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("partner", "created_at"), name="batch_partner_created"),
            models.Index(fields=("expires_at",), name="batch_quote_expiry", condition=Q(status="quoted")),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def offer_total(self) -> Money:
        return Money(self.offer_total_amount, self.currency)


class BatchParcel(models.Model):
    """One parcel of an accepted batch: its prepaid label's tracking number and QR code, and the devices
    packed in it (`TradeIn.parcel`). Scanning it at intake (or its carrier's delivery scan) receives them."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="parcels")
    number = models.PositiveSmallIntegerField(_("parcel"))
    reference = models.CharField(_("code"), max_length=12, unique=True, default=_parcel_reference)
    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ("batch", "number")
        verbose_name = _("batch parcel")
        verbose_name_plural = _("batch parcels")
        constraints: ClassVar = [models.UniqueConstraint(fields=("batch", "number"), name="batch_parcel_number")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.number}"

    @property
    def qr_payload(self) -> str:
        return f"ENCORE-PARCEL:{self.reference}"


class TradeIn(models.Model):
    """One device a shopper (or a partner's customer) sells to the platform, from quote to route."""

    reference = models.CharField(_("code"), max_length=12, unique=True, default=_reference)
    status = models.CharField(_("status"), max_length=20, choices=TradeInStatus.choices, default=TradeInStatus.QUOTED)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    answers = models.JSONField(_("declared answers"))
    declared_condition = models.CharField(_("declared condition"), max_length=10, choices=Condition.choices)
    offer_amount = models.BigIntegerField(_("offer (minor units)"))
    price_source = models.CharField(_("priced from"), max_length=10, choices=PriceSource.choices)
    expires_at = models.DateTimeField(_("quote valid until"))
    # Who sells: a shopper's account, or a partner for its customer (set when the quote is accepted).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tradeins"
    )
    partner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="tradeins")
    partner_reference = models.CharField(_("partner's reference"), max_length=100, blank=True)
    # The sender's address: where a declined device goes back. Personal data: erased with the account.
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    payout_method = models.CharField(_("payout"), max_length=16, choices=PayoutMethod.choices, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=70, blank=True)
    # The label (Encore's prepaid label, tracked) and the deadline to send.
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=20, null=True, blank=True, unique=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    send_by = models.DateTimeField(_("send by"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # The price agreed once inspected (the offer, or the accepted counter-offer).
    final_amount = models.BigIntegerField(_("final price (minor units)"), null=True, blank=True)
    held_reason = models.CharField(_("held because"), max_length=200, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    route = models.CharField(_("route"), max_length=10, choices=Route.choices, blank=True)
    routed_to = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="tradeins_bought"
    )
    lot = models.ForeignKey("tradein.Lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    # A business batch's device: the batch, the identifier the business declared, its parcel once accepted.
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.CASCADE, related_name="devices")
    declared_identifier = models.CharField(_("declared IMEI or serial"), max_length=32, blank=True)
    parcel = models.ForeignKey(BatchParcel, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    # A forward trade-in: the guaranteed buy-back it redeems (its price is the guarantee's).
    guarantee = models.ForeignKey(
        "orders.BuybackGuarantee", null=True, blank=True, on_delete=models.PROTECT, related_name="tradeins"
    )
    created_at = models.DateTimeField(_("quoted"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("trade-in")
        verbose_name_plural = _("trade-ins")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=TradeInStatus.values), name="tradein_status_valid"),
            models.CheckConstraint(condition=Q(offer_amount__gte=0), name="tradein_offer_not_negative"),
            models.CheckConstraint(
                condition=Q(final_amount__isnull=True) | Q(final_amount__gte=0), name="tradein_final_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[TradeInStatus.QUOTED, TradeInStatus.EXPIRED])
                | Q(owner__isnull=False)
                | Q(partner__isnull=False),
                name="tradein_accepted_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[TradeInStatus.QUOTED, TradeInStatus.EXPIRED]) | ~Q(payout_method=""),
                name="tradein_accepted_has_payout",
            ),
            models.CheckConstraint(
                condition=~Q(payout_method=PayoutMethod.BANK_TRANSFER) | ~Q(iban=""),
                name="tradein_bank_transfer_has_iban",
            ),
            models.CheckConstraint(
                condition=~Q(status=TradeInStatus.ROUTED) | ~Q(route=""), name="tradein_routed_has_route"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("owner", "created_at"), name="tradein_owner_created"),
            models.Index(fields=("partner", "created_at"), name="tradein_partner_created"),
            models.Index(fields=("status", "updated_at"), name="tradein_status_updated"),
            # The sweeps: quotes by expiry, accepted trade-ins by their send-by deadline.
            models.Index(fields=("expires_at",), name="tradein_quote_expiry", condition=Q(status="quoted")),
            models.Index(fields=("send_by",), name="tradein_send_by", condition=Q(status="accepted")),
            models.Index(fields=("batch", "status"), name="tradein_batch_status", condition=Q(batch__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def offer(self) -> Money:
        return Money(self.offer_amount, self.currency)

    @property
    def final_price(self) -> Money | None:
        return Money(self.final_amount, self.currency) if self.final_amount is not None else None

    @property
    def qr_payload(self) -> str:
        """What the label's QR code says: the trade-in's code, prefixed so a scan of anything else is told apart."""
        return f"ENCORE-TRADEIN:{self.reference}"


class Inspection(models.Model):
    """What the warehouse found: the actual answers and condition, the identifier, locks, battery."""

    tradein = models.OneToOneField(TradeIn, on_delete=models.CASCADE, related_name="inspection")
    answers = models.JSONField(_("actual answers"))
    condition = models.CharField(_("actual condition"), max_length=10, choices=Condition.choices)
    identifier = models.CharField(_("IMEI or serial"), max_length=32, db_index=True)
    identifier_kind = models.CharField(_("kind"), max_length=8)
    activation_lock = models.BooleanField(_("activation lock on"), default=False)
    liquid_damage = models.BooleanField(_("liquid damage"), default=False)
    battery_health = models.PositiveSmallIntegerField(_("battery health (%)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    inspected_at = models.DateTimeField(_("inspected"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(battery_health__isnull=True) | Q(battery_health__lte=100),
                name="inspection_battery_le_100",
            ),
            models.CheckConstraint(condition=Q(condition__in=Condition.values), name="inspection_condition_valid"),
        ]

    def __str__(self) -> str:
        return f"inspection of {self.tradein_id}"


def _photo_path(instance: InspectionPhoto, filename: str) -> str:
    return f"tradein-photos/{instance.tradein_id}/{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


class InspectionPhoto(models.Model):
    """A photo taken at inspection: checked by content, size-limited, private (served to staff only)."""

    tradein = models.ForeignKey(TradeIn, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), storage=private_storage, upload_to=_photo_path, max_length=300)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.tradein_id}"


class CounterOffer(models.Model):
    """A lower price after inspection, with its reason; the owner answers within 14 days."""

    tradein = models.OneToOneField(TradeIn, on_delete=models.CASCADE, related_name="counter_offer")
    amount = models.BigIntegerField(_("counter-offer (minor units)"))
    currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=20, choices=CounterOfferReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    outcome = models.CharField(
        _("answer"), max_length=10, choices=CounterOfferOutcome.choices, default=CounterOfferOutcome.OPEN
    )
    expires_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # A declined or lapsed counter-offer: the device goes back with its own prepaid label.
    return_tracking_number = models.CharField(_("return tracking number"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("counter-offer")
        verbose_name_plural = _("counter-offers")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="counter_offer_not_negative"),
            models.CheckConstraint(
                condition=Q(reason__in=CounterOfferReason.values), name="counter_offer_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=CounterOfferOutcome.values), name="counter_offer_outcome_valid"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("expires_at",), name="counter_offer_open_expiry", condition=Q(outcome="open")),
        ]

    def __str__(self) -> str:
        return f"counter-offer {self.tradein_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ErasureCertificate(models.Model):
    """The record of a verified wipe, and the certificate issued to the owner. Its number is unguessable."""

    tradein = models.OneToOneField(TradeIn, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=32, unique=True, default=_certificate_number)
    method = models.CharField(_("method"), max_length=8, choices=ErasureMethod.choices)
    tool = models.CharField(_("tool"), max_length=100)
    result = models.CharField(_("result"), max_length=8, choices=ErasureResult.choices)
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    model_name = models.CharField(_("model"), max_length=200)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    operator_name = models.CharField(_("operator"), max_length=150)
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)

    class Meta:
        verbose_name = _("erasure certificate")
        verbose_name_plural = _("erasure certificates")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(method__in=ErasureMethod.values), name="erasure_method_valid"),
            # A failed wipe is recorded as an attempt, never certified: only passes get a row.
            models.CheckConstraint(condition=Q(result=ErasureResult.PASSED), name="erasure_certificate_passed"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def identifier_last4(self) -> str:
        return self.identifier[-4:]


class SepaBatch(models.Model):
    """One SEPA credit transfer file (pain.001) of trade-in bank transfers, downloaded by finance."""

    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    currency = models.CharField(max_length=3, default="EUR")
    total_amount = models.BigIntegerField(_("total (minor units)"))
    count = models.PositiveIntegerField(_("transfers"))
    xml = models.TextField(_("pain.001 file"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent to the bank"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("SEPA file")
        verbose_name_plural = _("SEPA files")
        constraints: ClassVar = [models.CheckConstraint(condition=Q(total_amount__gt=0), name="sepa_total_positive")]

    def __str__(self) -> str:
        return self.message_id

    @property
    def total(self) -> Money:
        return Money(self.total_amount, self.currency)


class Payout(models.Model):
    """What the owner is paid for one device: store credit, partner credit, or a bank transfer."""

    tradein = models.OneToOneField(TradeIn, on_delete=models.PROTECT, related_name="payout")
    method = models.CharField(_("method"), max_length=16, choices=PayoutMethod.choices)
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=PayoutStatus.choices)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=70, blank=True)
    batch = models.ForeignKey(SepaBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("trade-in payout")
        verbose_name_plural = _("trade-in payouts")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tradein_payout_positive"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="tradein_payout_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=PayoutStatus.BATCHED) | Q(batch__isnull=False), name="tradein_payout_batched_batch"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("created_at",), name="tradein_payout_pending", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"payout {self.tradein_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class Lot(models.Model):
    """Devices of one model and condition offered to refurbishers: to the best bid within 48 h, or at a
    fixed price (first taker)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=LotStatus.choices, default=LotStatus.OPEN)
    fixed_price_amount = models.BigIntegerField(_("fixed price (minor units)"), null=True, blank=True)
    reserve_amount = models.BigIntegerField(_("lowest bid accepted (minor units)"), default=0)
    closes_at = models.DateTimeField(_("bids close"))
    buyer = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="lots_won")
    price_amount = models.BigIntegerField(_("sold for (minor units)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("trade-in lot")
        verbose_name_plural = _("trade-in lots")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=LotStatus.values), name="lot_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=LotStatus.SOLD) | (Q(buyer__isnull=False) & Q(price_amount__gt=0)),
                name="lot_sold_has_buyer_and_price",
            ),
            models.CheckConstraint(
                condition=Q(fixed_price_amount__isnull=True) | Q(fixed_price_amount__gt=0),
                name="lot_fixed_price_positive",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("closes_at",), name="lot_open_closes", condition=Q(status="open"))]

    def __str__(self) -> str:
        return f"lot {self.pk}"

    @property
    def fixed_price(self) -> Money | None:
        return Money(self.fixed_price_amount, self.currency) if self.fixed_price_amount is not None else None

    @property
    def price(self) -> Money | None:
        return Money(self.price_amount, self.currency) if self.price_amount is not None else None

    @property
    def reserve(self) -> Money:
        return Money(self.reserve_amount, self.currency)


class Bid(models.Model):
    """A refurbisher's bid for a lot: one per seller, raised by bidding again."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tradein_bids")
    amount = models.BigIntegerField(_("bid (minor units)"))
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-amount", "created_at", "id")
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("lot", "seller"), name="bid_one_per_seller"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bid_positive"),
        ]

    def __str__(self) -> str:
        return f"bid {self.amount} on {self.lot_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class WalletReminder(models.Model):
    """An e-mail reminder the device wallet sent (a warranty about to end, a guaranteed buy-back about to
    expire): one row per reminder, so the daily job never sends the same one twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    subject_id = models.BigIntegerField(_("about"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ("-sent_at", "-id")
        verbose_name = _("device wallet reminder")
        verbose_name_plural = _("device wallet reminders")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("kind", "subject_id"), name="wallet_reminder_once"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="wallet_reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id}"
