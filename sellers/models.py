"""Sellers: the refurbisher behind a seller organisation, its documents and its probation counters."""

import os
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, Organisation
from marketplace.storage import private_storage
from sellers.states import AuditStatus, LadderStep, SellerStatus, TerminationGround


class LegalForm(models.TextChoices):
    SOLE_TRADER = "sole_trader", _("Sole trader")
    PARTNERSHIP = "partnership", _("Partnership")
    LIMITED_COMPANY = "limited_company", _("Limited company")
    PUBLIC_COMPANY = "public_company", _("Public limited company")
    COOPERATIVE = "cooperative", _("Cooperative")
    OTHER = "other", _("Other")


class Seller(models.Model):
    """A professional refurbisher: the seller side of an organisation (its tenant row)."""

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="seller", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=20, choices=SellerStatus.choices, default=SellerStatus.APPLIED)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    vat_id = models.CharField(_("VAT id"), max_length=20)
    home_market = models.ForeignKey(
        Market,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home market"),
        help_text=_("Its time zone sets the calendar day of the probation cap."),
    )
    address_line = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    monthly_capacity = models.PositiveIntegerField(_("units refurbished per month"))
    capacity_description = models.TextField(_("refurbishing capacity"), help_text=_("Workshop, staff, tests, parts."))
    charter_version = models.CharField(_("quality charter version"), max_length=20)
    charter_accepted_at = models.DateTimeField(_("quality charter accepted"))
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    probation_started_at = models.DateTimeField(_("probation started"), null=True, blank=True)
    probation_ends_at = models.DateTimeField(_("probation ends"), null=True, blank=True, db_index=True)
    # Performance (sellers/scoring.py): the latest score (None: "new", too few units delivered), the
    # ladder step it puts the seller on, and the day it was computed; history in PerformanceDay.
    score = models.PositiveSmallIntegerField(_("quality score"), null=True, blank=True)
    ladder_step = models.CharField(_("ladder step"), max_length=10, choices=LadderStep.choices, default=LadderStep.NONE)
    scored_on = models.DateField(_("scored on"), null=True, blank=True)
    # After a reinstatement the ladder may not suspend again until then (warnings still go out).
    ladder_grace_until = models.DateTimeField(_("no suspension by the score until"), null=True, blank=True)
    # A success manager kept the listing cap on at a reinstatement, whatever the score, until then.
    listing_cap_until = models.DateTimeField(_("listing cap kept until"), null=True, blank=True)
    # Termination with notice: the statement of reasons, its ground, and when it takes effect.
    termination_ground = models.CharField(
        _("termination ground"), max_length=10, choices=TerminationGround.choices, blank=True
    )
    termination_statement = models.TextField(_("statement of reasons"), blank=True)
    termination_notice_at = models.DateTimeField(_("termination notice given"), null=True, blank=True)
    terminates_at = models.DateTimeField(_("termination takes effect"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        ordering = ("organisation__name",)
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(status__in=SellerStatus.values), name="seller_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="probation")
                | models.Q(probation_started_at__isnull=False, probation_ends_at__isnull=False),
                name="seller_probation_has_period",
            ),
            models.UniqueConstraint(fields=("vat_id",), name="seller_vat_id_unique"),
            models.CheckConstraint(
                condition=models.Q(ladder_step__in=LadderStep.values), name="seller_ladder_step_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="seller_score_0_100"
            ),
            # The ladder's suspension is a suspension: the step and the status agree.
            models.CheckConstraint(
                condition=~models.Q(ladder_step=LadderStep.SUSPENDED) | models.Q(status=SellerStatus.SUSPENDED),
                name="seller_ladder_suspension_is_suspended",
            ),
            models.CheckConstraint(
                condition=models.Q(terminates_at__isnull=True)
                | (models.Q(termination_notice_at__isnull=False) & ~models.Q(termination_statement="")),
                name="seller_termination_notice_has_reasons",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("status", "probation_ends_at"), name="seller_status_probation_end"),
            # The notice sweep: terminations that take effect.
            models.Index(
                fields=("terminates_at",), name="seller_terminates_at", condition=models.Q(terminates_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read at use, so settings overrides apply); never under MEDIA_URL.

    Documents stored here are served only through access-checked views.
    """

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


def _private_storage() -> FileSystemStorage:
    return PrivateStorage()


def _document_path(instance: "SellerDocument", filename: str) -> str:
    return f"seller-documents/{instance.seller_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class DocumentKind(models.TextChoices):
    CAPACITY = "capacity", _("Proof of refurbishing capacity")
    REGISTRATION = "registration", _("Company registration")
    OTHER = "other", _("Other")


class SellerDocument(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.CAPACITY)
    file = models.FileField(_("file"), storage=_private_storage, upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("seller document")
        verbose_name_plural = _("seller documents")
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name


class ListingDay(models.Model):
    """New listings a seller created on one calendar day of its home market: the one counter behind the
    daily caps (probation, and the score's listing cap), taken by `sellers.services.caps`."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="listing_days")
    day = models.DateField(_("day"))
    listings_created = models.PositiveSmallIntegerField(_("new listings"), default=0)

    class Meta:
        verbose_name = _("listing day")
        verbose_name_plural = _("listing days")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("seller", "day"), name="listing_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.seller} {self.day}: {self.listings_created}"


class Invitation(models.Model):
    """An invitation for a person to join a seller organisation (by e-mail, with a one-time token)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, default="staff")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} -> {self.organisation}"


# --- performance ---------------------------------------------------------------------------------
def _bounds_check(metric: str, *, higher_is_better: bool = False) -> models.CheckConstraint:
    """A metric's target is on the better side of its limit (full marks before none)."""
    limit = models.F(f"limit_{metric}")
    lookup = "gt" if higher_is_better else "lt"
    condition = models.Q(**{f"target_{metric}__{lookup}": limit})
    return models.CheckConstraint(condition=condition, name=f"score_formula_{metric}_bounds")


class ScoreFormula(models.Model):
    """One version of the score's weights and thresholds (`sellers/scoring.py` is the function).

    Platform staff change the formula by publishing a new version (the console's score formula page,
    `sellers.services.formula.score_formula_publish`); a version is never edited in place, so every
    history row names the numbers it was computed with. The highest version is the current one.
    Rates are in basis points (800 = 8 %), ratings in hundredths of a star (470 = 4.70), answer
    times in hours. Each metric earns its whole weight at or better than its target, nothing at or
    worse than its limit; the weights add up to 100.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("what changed and why"), blank=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=90)
    minimum_units = models.PositiveSmallIntegerField(_("minimum units delivered for a score"), default=20)
    weight_defect_rate = models.PositiveSmallIntegerField(_("defect rate: weight"), default=35)
    target_defect_rate = models.PositiveIntegerField(_("defect rate: full marks at (basis points)"), default=200)
    limit_defect_rate = models.PositiveIntegerField(_("defect rate: no marks at (basis points)"), default=1000)
    weight_cancellation_rate = models.PositiveSmallIntegerField(_("cancellation rate: weight"), default=15)
    target_cancellation_rate = models.PositiveIntegerField(
        _("cancellation rate: full marks at (basis points)"), default=100
    )
    limit_cancellation_rate = models.PositiveIntegerField(
        _("cancellation rate: no marks at (basis points)"), default=1000
    )
    weight_late_shipment_rate = models.PositiveSmallIntegerField(_("late shipments: weight"), default=15)
    target_late_shipment_rate = models.PositiveIntegerField(
        _("late shipments: full marks at (basis points)"), default=300
    )
    limit_late_shipment_rate = models.PositiveIntegerField(
        _("late shipments: no marks at (basis points)"), default=2000
    )
    weight_average_rating = models.PositiveSmallIntegerField(_("average rating: weight"), default=15)
    target_average_rating = models.PositiveIntegerField(
        _("average rating: full marks at (hundredths of a star)"), default=470
    )
    limit_average_rating = models.PositiveIntegerField(
        _("average rating: no marks at (hundredths of a star)"), default=300
    )
    weight_claim_answer_hours = models.PositiveSmallIntegerField(_("claim answer time: weight"), default=10)
    target_claim_answer_hours = models.PositiveIntegerField(_("claim answer time: full marks at (hours)"), default=24)
    limit_claim_answer_hours = models.PositiveIntegerField(_("claim answer time: no marks at (hours)"), default=96)
    weight_mystery_order_findings = models.PositiveSmallIntegerField(_("mystery-order findings: weight"), default=10)
    target_mystery_order_findings = models.PositiveIntegerField(
        _("mystery-order findings: full marks at (basis points)"), default=0
    )
    limit_mystery_order_findings = models.PositiveIntegerField(
        _("mystery-order findings: no marks at (basis points)"), default=5000
    )
    warning_below = models.PositiveSmallIntegerField(_("warning below"), default=70)
    cap_below = models.PositiveSmallIntegerField(_("listing cap below"), default=60)
    suspend_below = models.PositiveSmallIntegerField(_("suspension below"), default=50)
    suspend_defect_rate = models.PositiveIntegerField(
        _("suspension above a defect rate of (basis points)"), default=800
    )
    grace_days = models.PositiveSmallIntegerField(_("days without suspension after a reinstatement"), default=30)

    class Meta:
        ordering = ("-version",)
        verbose_name = _("score formula")
        verbose_name_plural = _("score formulas")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(window_days__gte=7, window_days__lte=365), name="score_formula_window_7_365"
            ),
            # The weights add up to 100 (written as one of them equal to 100 minus the others).
            models.CheckConstraint(
                condition=models.Q(
                    weight_defect_rate=100
                    - models.F("weight_cancellation_rate")
                    - models.F("weight_late_shipment_rate")
                    - models.F("weight_average_rating")
                    - models.F("weight_claim_answer_hours")
                    - models.F("weight_mystery_order_findings")
                ),
                name="score_formula_weights_total_100",
            ),
            models.CheckConstraint(
                condition=models.Q(suspend_below__lte=models.F("cap_below"))
                & models.Q(cap_below__lte=models.F("warning_below"))
                & models.Q(warning_below__lte=100),
                name="score_formula_ladder_ordered",
            ),
            _bounds_check("defect_rate"),
            _bounds_check("cancellation_rate"),
            _bounds_check("late_shipment_rate"),
            _bounds_check("average_rating", higher_is_better=True),
            _bounds_check("claim_answer_hours"),
            _bounds_check("mystery_order_findings"),
            models.CheckConstraint(
                condition=models.Q(limit_average_rating__gte=100, target_average_rating__lte=500),
                name="score_formula_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class PerformanceDay(models.Model):
    """A seller's performance on one day (one row per seller per day, written by the scoring job; a
    second run the same day rewrites the same row): the window's counts, the score they gave, the
    formula version and the ladder step. Rates and times are derived from the counts
    (`sellers.scoring.metric_values`), so they are exact and never disagree with the score."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="performance_days")
    day = models.DateField(_("day"))
    formula = models.ForeignKey(ScoreFormula, on_delete=models.PROTECT, related_name="+")
    units_delivered = models.PositiveIntegerField(_("units delivered"), default=0)
    defects = models.PositiveIntegerField(_("defects"), default=0)
    seller_orders = models.PositiveIntegerField(_("seller orders"), default=0)
    cancelled_by_seller = models.PositiveIntegerField(_("cancelled by the seller"), default=0)
    ship_due = models.PositiveIntegerField(_("shipped or due"), default=0)
    shipped_late = models.PositiveIntegerField(_("shipped late"), default=0)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_sum = models.PositiveIntegerField(_("sum of the stars"), default=0)
    answered_claims = models.PositiveIntegerField(_("claims answered"), default=0)
    median_answer_seconds = models.PositiveIntegerField(_("median claim answer time (s)"), null=True, blank=True)
    audited_units = models.PositiveIntegerField(_("units audited"), default=0)
    audit_failures = models.PositiveIntegerField(_("units failing an audit check"), default=0)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    step = models.CharField(_("ladder step"), max_length=10, choices=LadderStep.choices, default=LadderStep.NONE)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        ordering = ("-day",)
        verbose_name = _("performance day")
        verbose_name_plural = _("performance days")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("seller", "day"), name="performance_day_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="performance_day_score_0_100"
            ),
            models.CheckConstraint(condition=models.Q(step__in=LadderStep.values), name="performance_day_step_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.day}: {self.score}"


# --- mystery orders ------------------------------------------------------------------------------
class AuditSample(models.Model):
    """A draw of sellers for mystery orders, weighted towards new and low-scored sellers (the weights
    and the size are set by the success manager who draws; the seed makes the draw reproducible)."""

    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    size = models.PositiveSmallIntegerField(_("sellers to audit"))
    weight_new = models.PositiveSmallIntegerField(_("weight of a new seller (no score yet)"))
    weight_low_score = models.PositiveSmallIntegerField(_("weight of a low-scored seller"))
    weight_other = models.PositiveSmallIntegerField(_("weight of any other seller"))
    low_score_below = models.PositiveSmallIntegerField(_("low score: below"))
    seed = models.BigIntegerField(_("random seed"))

    class Meta:
        ordering = ("-drawn_at", "-id")
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(size__gte=1), name="audit_sample_size_positive"),
            models.CheckConstraint(condition=models.Q(low_score_below__lte=100), name="audit_sample_low_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"sample {self.pk} ({self.size})"


class AuditGroup(models.TextChoices):
    NEW = "new", _("New seller")
    LOW_SCORE = "low_score", _("Low score")
    OTHER = "other", _("Other")


class MysteryAudit(models.Model):
    """A mystery order: a seller drawn into a sample, then a real order of one of its listings flagged as
    an audit (`orders.Order.is_audit`, paid by the platform), then findings per unit on arrival."""

    sample = models.ForeignKey(AuditSample, on_delete=models.PROTECT, related_name="audits")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="audits")
    group = models.CharField(_("drawn as"), max_length=10, choices=AuditGroup.choices)
    score_at_draw = models.PositiveSmallIntegerField(_("score when drawn"), null=True, blank=True)
    listing = models.ForeignKey("catalog.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.DRAWN)
    order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="mystery_audit"
    )
    ordered_at = models.DateTimeField(_("ordered"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("findings recorded"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-sample__drawn_at", "-id")
        verbose_name = _("mystery order")
        verbose_name_plural = _("mystery orders")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(status__in=AuditStatus.values), name="mystery_audit_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(group__in=AuditGroup.values), name="mystery_audit_group_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=[AuditStatus.DRAWN, AuditStatus.CANCELLED])
                | models.Q(order__isnull=False),
                name="mystery_audit_ordered_has_order",
            ),
        ]

    def __str__(self) -> str:
        return f"audit {self.pk} of {self.seller_id}"


class AuditFinding(models.Model):
    """What the platform found on one unit of a mystery order (DOMAIN.md: grade as claimed, battery as
    stated, identifier matches, wiped and unlocked, accessories). A unit fails when any check fails;
    the share of failing units is the score's mystery-order metric."""

    audit = models.ForeignKey(MysteryAudit, on_delete=models.CASCADE, related_name="findings")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="+")
    unit = models.OneToOneField("orders.OrderUnit", on_delete=models.PROTECT, related_name="audit_finding")
    grade_as_claimed = models.BooleanField(_("grade as claimed"))
    battery_as_stated = models.BooleanField(_("battery as stated"))
    measured_battery = models.PositiveSmallIntegerField(_("measured battery health (%)"), null=True, blank=True)
    identifier_matches = models.BooleanField(_("identifier matches"))
    wiped_and_unlocked = models.BooleanField(_("wiped and unlocked"))
    accessories_complete = models.BooleanField(_("accessories as described"))
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("id",)
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(measured_battery__isnull=True) | models.Q(measured_battery__lte=100),
                name="audit_finding_battery_percent",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("seller", "recorded_at"), name="audit_finding_seller")]

    def __str__(self) -> str:
        return f"finding on unit {self.unit_id}"

    @property
    def passed(self) -> bool:
        return all(
            (
                self.grade_as_claimed,
                self.battery_as_stated,
                self.identifier_matches,
                self.wiped_and_unlocked,
                self.accessories_complete,
            )
        )


def _audit_photo_path(instance: "AuditPhoto", filename: str) -> str:
    # A random name with the checked type's extension (never the uploader's name).
    return f"audit-photos/{instance.finding.audit_id}/{filename}"


class AuditPhoto(models.Model):
    """A photo of an audited unit: JPEG, PNG or HEIC checked by its content, stored privately and served
    only to success managers."""

    finding = models.ForeignKey(AuditFinding, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), storage=private_storage, upload_to=_audit_photo_path, max_length=300)
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ("uploaded_at", "id")
        verbose_name = _("audit photo")
        verbose_name_plural = _("audit photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of finding {self.finding_id}"
