"""After-sales: warranties of delivered units, claims with their conversation and photos, returns,
labels and carrier scans, reviews (DOMAIN.md, Orders, warranty, returns; After-sales).

A warranty starts on the delivery date and ends start + the listing's warranty months (>= 12). A
replacement unit gets a warranty of its own that carries the rest of the original (same end date,
`original` naming the purchase's first warranty): claims on it name its identifier, and the rule
of three counts the claims of the whole purchase. Statuses move only through
`marketplace.transitions.transition` (see `warranty/states.py`).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, Organisation
from marketplace.money import Money
from marketplace.storage import private_storage
from warranty.states import (
    NOTE_TEXTS,
    OPEN_CLAIM_STATUSES,
    TECHNICAL_CATEGORIES,
    ClaimCategory,
    ClaimNote,
    ClaimStatus,
    EscalationReason,
    LabelPurpose,
    MessageAuthor,
    Outcome,
    ReportReason,
    Resolution,
    ReturnReason,
    ReturnStatus,
    ReviewStatus,
    ScanSource,
    ScanStatus,
)


class Warranty(models.Model):
    unit = models.OneToOneField(
        "orders.OrderUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="warranty"
    )
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="warranties")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="warranties")
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="warranties"
    )
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    months = models.PositiveSmallIntegerField(_("months"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    # A replacement unit's warranty: `original` is the purchase's first warranty (the unit bought).
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replacements", verbose_name=_("replaces")
    )
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    # The unit's price was paid back (a return, or a claim resolved by a refund): the warranty ends.
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-starts_on", "-id")
        verbose_name = _("warranty")
        verbose_name_plural = _("warranties")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(months__gte=12), name="warranty_at_least_12_months"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="warranty_ends_after_start"),
            # A unit bought has its order unit; a replacement names the warranty it continues.
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(original__isnull=False), name="warranty_unit_or_original"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("identifier",), name="warranty_identifier"),
            models.Index(fields=("shopper", "starts_on"), name="warranty_shopper"),
            models.Index(fields=("seller", "ends_on"), name="warranty_seller_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} until {self.ends_on}"

    def is_active(self, today: date | None = None) -> bool:
        """Derived: covered today (the end date included)."""
        return (today or timezone.localdate()) <= self.ends_on

    @property
    def purchase_id(self) -> int:
        """The purchase this unit belongs to: the first warranty of the unit bought."""
        return self.original_id or self.pk


class SellerReturnAddress(models.Model):
    """Where a seller receives returns and repairs: printed on the labels Encore makes. Kept current
    by the sellers app (a floor above) through `warranty.services.labels.seller_return_address_set`."""

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="return_address"
    )
    name = models.CharField(_("name"), max_length=200)
    address_line = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("seller return address")
        verbose_name_plural = _("seller return addresses")

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Claim(models.Model):
    """A warranty claim on one delivered unit, by its shopper or the partner that placed the order."""

    warranty = models.ForeignKey(Warranty, on_delete=models.PROTECT, related_name="claims")
    purchase = models.ForeignKey(
        Warranty, on_delete=models.PROTECT, related_name="purchase_claims", verbose_name=_("purchase")
    )
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="claims")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="claims")
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    partner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="partner_claims"
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    category = models.CharField(_("category"), max_length=20, choices=ClaimCategory.choices)
    description = models.TextField(_("what happens"), max_length=2000)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.OPENED)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    answer_message = models.TextField(_("seller's answer"), blank=True, max_length=2000)
    escalation_reason = models.CharField(
        _("escalated because"), max_length=16, choices=EscalationReason.choices, blank=True
    )
    deadline_missed = models.BooleanField(_("a deadline was missed"), default=False)
    accepted_silently = models.BooleanField(_("accepted without a reply"), default=False)
    decision_reason = models.TextField(_("decision's reason"), blank=True)
    replacement_identifier = models.CharField(_("replacement's IMEI or serial"), max_length=32, blank=True)
    replacement = models.OneToOneField(
        Warranty, null=True, blank=True, on_delete=models.PROTECT, related_name="replaces_claim"
    )
    refund = models.ForeignKey("orders.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    answer_due_at = models.DateTimeField(_("the seller answers by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    accept_by = models.DateTimeField(_("accepted without a reply after"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    repair_started_at = models.DateTimeField(_("repair or replacement started"), null=True, blank=True)
    unit_received_at = models.DateTimeField(_("unit received"), null=True, blank=True)
    repair_due_at = models.DateTimeField(_("repaired or replaced by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-opened_at", "-id")
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(condition=Q(category__in=ClaimCategory.values), name="claim_category_valid"),
            models.CheckConstraint(condition=Q(resolution__in=["", *Resolution.values]), name="claim_resolution_valid"),
            models.CheckConstraint(condition=Q(outcome__in=["", *Outcome.values]), name="claim_outcome_valid"),
            # Resolved and closed claims have an outcome; open ones do not.
            models.CheckConstraint(
                condition=Q(status__in=[ClaimStatus.RESOLVED, ClaimStatus.CLOSED], outcome__gt="")
                | (~Q(status__in=[ClaimStatus.RESOLVED, ClaimStatus.CLOSED]) & Q(outcome="")),
                name="claim_outcome_when_resolved",
            ),
            models.CheckConstraint(
                condition=Q(shopper__isnull=False) | Q(partner__isnull=False), name="claim_has_a_claimant"
            ),
            # One open claim per unit at a time (DOMAIN.md): two opened at once make exactly one.
            models.UniqueConstraint(
                fields=("warranty",), condition=Q(status__in=OPEN_CLAIM_STATUSES), name="claim_one_open_per_unit"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller", "status", "opened_at"), name="claim_seller_status"),
            models.Index(fields=("purchase", "category"), name="claim_purchase"),
            models.Index(fields=("shopper", "opened_at"), name="claim_shopper"),
            # The sweeps: open claims by deadline.
            models.Index(fields=("answer_due_at",), name="claim_answer_due", condition=Q(status=ClaimStatus.OPENED)),
            models.Index(fields=("accept_by",), name="claim_accept_by", condition=Q(status=ClaimStatus.ANSWERED)),
            models.Index(fields=("repair_due_at",), name="claim_repair_due", condition=Q(status=ClaimStatus.IN_REPAIR)),
            models.Index(fields=("resolved_at",), name="claim_resolved", condition=Q(status=ClaimStatus.RESOLVED)),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} on {self.identifier}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk}"

    @property
    def is_technical(self) -> bool:
        return self.category in TECHNICAL_CATEGORIES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CLAIM_STATUSES


def _photo_path(instance: ClaimPhoto, filename: str) -> str:
    # Never the uploader's file name in the path: a random name with the checked type's extension.
    return f"claim-photos/{instance.claim_id}/{filename}"


class ClaimMessage(models.Model):
    """One step of a claim's conversation: a message (and its photos) by the shopper, the partner, the
    seller, a success manager, or Encore itself (deadlines, decisions)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages")
    author_role = models.CharField(_("from"), max_length=10, choices=MessageAuthor.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(_("author"), max_length=200)
    body = models.TextField(_("message"), max_length=4000, blank=True)
    # A step Encore writes (deadlines, labels): a code and its values, written out in the reader's language.
    note = models.CharField(_("note"), max_length=20, choices=ClaimNote.choices, blank=True)
    note_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("claim message")
        verbose_name_plural = _("claim messages")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(author_role__in=MessageAuthor.values), name="claim_message_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.author_role} on claim {self.claim_id}"

    @property
    def text(self) -> str:
        """What the message says, in the active language for Encore's notes (a date in the market's zone)."""
        if not self.note:
            return self.body
        values = dict(self.note_data)
        if "due" in values:
            moment = datetime.fromisoformat(values.pop("due")).astimezone(ZoneInfo(values.pop("time_zone", "UTC")))
            values["date"] = formats.date_format(moment, "DATE_FORMAT")
        return str(NOTE_TEXTS[ClaimNote(self.note)]) % values


class ClaimPhoto(models.Model):
    """A photo of a claim: JPEG, PNG or HEIC checked by its content, at most 10 MB, stored privately and
    served only to the shopper, the seller's members and success managers."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    message = models.ForeignKey(ClaimMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), storage=private_storage, upload_to=_photo_path, max_length=300)
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ("uploaded_at", "id")
        verbose_name = _("claim photo")
        verbose_name_plural = _("claim photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of claim {self.claim_id}"


class Return(models.Model):
    """Units of one parcel (seller order) sent back within 30 days of delivery, without a reason."""

    seller_order = models.ForeignKey("orders.SellerOrder", on_delete=models.PROTECT, related_name="returns")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="returns")
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="returns"
    )
    partner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="partner_returns"
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(
        _("reason"), max_length=20, choices=ReturnReason.choices, default=ReturnReason.CHANGED_MIND
    )
    status = models.CharField(_("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.OPENED)
    amount = models.BigIntegerField(_("refund (minor units)"))
    currency = models.CharField(max_length=3)
    refund = models.ForeignKey("orders.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refunded_automatically = models.BooleanField(_("refunded without the seller"), default=False)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    refund_due_at = models.DateTimeField(_("refunded by itself after"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-opened_at", "-id")
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="return_status_valid"),
            models.CheckConstraint(condition=Q(reason__in=ReturnReason.values), name="return_reason_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="return_amount_positive"),
            models.CheckConstraint(
                condition=Q(shopper__isnull=False) | Q(partner__isnull=False), name="return_has_a_buyer"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller", "status", "opened_at"), name="return_seller_status"),
            models.Index(fields=("refund_due_at",), name="return_refund_due", condition=Q(status=ReturnStatus.OPENED)),
        ]

    def __str__(self) -> str:
        return f"return {self.pk}"

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"

    @property
    def money(self) -> Money:
        """The goods sent back (what the seller refunds of its sale)."""
        return Money(self.amount, self.currency)

    @property
    def shopper_money(self) -> Money:
        """What the buyer gets back: the refund once made, before it the goods and, on a US order, the
        sales tax charged on them."""
        if self.refund is not None:
            return self.refund.money
        return self.money + self.seller_order.order.sales_tax_on(self.money)


class ReturnItem(models.Model):
    """One unit sent back. A unit is in at most one live return (not cancelled)."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="items", db_column="return_id")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="return_items")
    unit = models.ForeignKey("orders.OrderUnit", on_delete=models.PROTECT, related_name="return_items")
    unit_price_amount = models.BigIntegerField(_("unit price (minor units)"))
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ("id",)
        verbose_name = _("returned unit")
        verbose_name_plural = _("returned units")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("unit",), condition=Q(live=True), name="return_item_unit_once"),
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id} in return {self.ret_id}"


def _tracking_number() -> str:
    # Encore's own labels: "ENC" + 10 unambiguous characters, printed and scanned as Code 128.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "ENC" + "".join(secrets.choice(alphabet) for _ in range(10))


class Label(models.Model):
    """A prepaid label Encore makes, with its tracking number, for a return or a repair parcel."""

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True, default=_tracking_number)
    carrier = models.CharField(_("carrier"), max_length=60)
    purpose = models.CharField(_("for"), max_length=10, choices=LabelPurpose.choices)
    claim = models.OneToOneField(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="label")
    ret = models.OneToOneField(
        Return, null=True, blank=True, on_delete=models.CASCADE, related_name="label", db_column="return_id"
    )
    sender = models.JSONField(_("from"))  # {"name", "lines": [...]}
    recipient = models.JSONField(_("to"))
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    in_transit_at = models.DateTimeField(_("picked up"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(claim__isnull=False) & Q(ret__isnull=True))
                | (Q(claim__isnull=True) & Q(ret__isnull=False)),
                name="label_for_one_claim_or_return",
            ),
            models.CheckConstraint(condition=Q(purpose__in=LabelPurpose.values), name="label_purpose_valid"),
        ]

    def __str__(self) -> str:
        return self.tracking_number


class CarrierScan(models.Model):
    """A carrier's scan of a parcel: from the signed carrier-events endpoint (its event id makes a replay
    change nothing) or recorded by hand. Scans of Encore's after-sales labels link to them; scans of
    other parcels (trade-ins) are kept too and passed on through `warranty.hooks.carrier_scan_recorded`."""

    tracking_number = models.CharField(_("tracking number"), max_length=40, db_index=True)
    label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.CASCADE, related_name="scans")
    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=ScanStatus.choices)
    occurred_at = models.DateTimeField(_("when"))
    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=ScanSource.choices)
    recorded_by = models.CharField(_("recorded by"), max_length=200, blank=True)

    class Meta:
        ordering = ("occurred_at", "id")
        verbose_name = _("carrier scan")
        verbose_name_plural = _("carrier scans")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=ScanStatus.values), name="carrier_scan_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.status}"


class Review(models.Model):
    """The buyer's review of a delivered order line: stars for the seller and for the unit, a text;
    editable for 30 days; one public reply by the seller; hidden by a success manager if reported."""

    line = models.OneToOneField("orders.OrderLine", on_delete=models.PROTECT, related_name="review")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reviews")
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    author_name = models.CharField(_("shown as"), max_length=80)
    seller_stars = models.PositiveSmallIntegerField(_("seller (stars)"))
    unit_stars = models.PositiveSmallIntegerField(_("device (stars)"))
    text = models.TextField(_("review"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.VISIBLE)
    hidden_reason = models.TextField(_("hidden because"), blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    editable_until = models.DateTimeField(_("editable until"))
    reply_text = models.TextField(_("seller's reply"), max_length=2000, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(seller_stars__gte=1, seller_stars__lte=5), name="review_seller_1_to_5"),
            models.CheckConstraint(condition=Q(unit_stars__gte=1, unit_stars__lte=5), name="review_unit_1_to_5"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
            # A reply is written once: its time and text come together.
            models.CheckConstraint(
                condition=(Q(replied_at__isnull=True) & Q(reply_text=""))
                | (Q(replied_at__isnull=False) & ~Q(reply_text="")),
                name="review_reply_once",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller", "status", "created_at"), name="review_seller"),
            models.Index(fields=("product", "status"), name="review_product"),
        ]

    def __str__(self) -> str:
        return f"review of line {self.line_id}"

    @property
    def is_visible(self) -> bool:
        return self.status == ReviewStatus.VISIBLE


class ReviewReport(models.Model):
    """Someone's report of a review to success managers; they hide the review with a reason, or keep it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_label = models.CharField(_("reported by"), max_length=200)
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(_("details"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)
    resolution = models.CharField(_("decision"), max_length=10, blank=True)  # "hidden" or "kept"

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("review", "reporter"), name="review_report_once_per_person"),
            models.CheckConstraint(condition=Q(reason__in=ReportReason.values), name="review_report_reason_valid"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("created_at",), name="review_report_open", condition=Q(resolved_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"report of review {self.review_id}"


class ReviewInvitation(models.Model):
    """The e-mail inviting a buyer to review a delivered parcel, sent once, 7 days after delivery."""

    seller_order = models.OneToOneField(
        "orders.SellerOrder", on_delete=models.CASCADE, related_name="review_invitation"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review invitation")
        verbose_name_plural = _("review invitations")

    def __str__(self) -> str:
        return f"invitation for seller order {self.seller_order_id}"
