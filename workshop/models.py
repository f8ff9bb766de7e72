"""Refurbishment (DOMAIN.md): one record per device a seller holds, moving on its board from intake to sale.

The database refuses what the domain forbids: a status outside the table's words, negative money or
labour, a battery above 100 %, two active units of one seller with the same identifier (a partial
unique index over the active statuses), a trade-in arriving as two units, a listed unit without its
listing. Money is integer minor units in the unit's currency (the seller's workshop currency).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.models import Organisation, OrganisationKind
from marketplace.money import Money
from marketplace.storage import private_storage
from workshop.states import (
    ACTIVE,
    Cosmetic,
    FlagReason,
    PartOrigin,
    UnitSource,
    UnitStatus,
    WorkerKind,
    WorkKind,
)

SELLERS = {"kind": OrganisationKind.SELLER}


class WorkshopSettings(models.Model):
    """A seller's workshop figures: the labour rate its units' cost counts, the margin its price
    suggestions aim at, and the warranty its listings offer by default. Created with defaults on
    first use (`workshop_settings_for`), in the currency of the seller's home market."""

    seller = models.OneToOneField(
        Organisation,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="workshop_settings",
        limit_choices_to=SELLERS,
    )
    currency = models.CharField(_("currency"), max_length=3)
    labour_rate_amount = models.BigIntegerField(_("labour rate per hour (minor units)"), default=0)
    target_margin_percent = models.PositiveSmallIntegerField(_("target margin (%)"), default=25)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("workshop settings")
        verbose_name_plural = _("workshop settings")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(labour_rate_amount__gte=0), name="workshop_labour_rate_not_negative"),
            models.CheckConstraint(condition=Q(target_margin_percent__lt=100), name="workshop_margin_below_100"),
            models.CheckConstraint(condition=Q(warranty_months__gte=12), name="workshop_warranty_at_least_12"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="workshop_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"workshop of {self.seller_id}"

    @property
    def labour_rate(self) -> Money:
        return Money(self.labour_rate_amount, self.currency)


class Technician(models.Model):
    """Who works on units: one of the seller's members (a technician) or a partner workshop (a company
    the seller sends units to). Assignment rules are its data: the categories it takes (none: all) and
    how many units it takes a day."""

    seller = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="technicians", limit_choices_to=SELLERS
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WorkerKind.choices, default=WorkerKind.TECHNICIAN)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("member"),
    )
    name = models.CharField(_("partner workshop"), max_length=150, blank=True)
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+", verbose_name=_("categories"))
    capacity_per_day = models.PositiveSmallIntegerField(_("units a day"), default=5)
    active = models.BooleanField(_("takes new units"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "name", "id")
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(capacity_per_day__gte=1), name="technician_capacity_positive"),
            models.CheckConstraint(
                condition=~Q(kind=WorkerKind.PARTNER_WORKSHOP) | ~Q(name=""), name="technician_workshop_named"
            ),
            models.UniqueConstraint(fields=("seller", "user"), condition=Q(user__isnull=False), name="technician_once"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == WorkerKind.PARTNER_WORKSHOP:
            return self.name
        if self.user is not None:
            return self.user.get_full_name() or self.user.email
        return self.name or gettext("Former member")


class CheckItem(models.Model):
    """One item of a category's quality check (data; items without a category apply to every category).
    Names are English and translated through the catalogs."""

    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("quality check item")
        verbose_name_plural = _("quality check items")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("category", "code"), name="check_item_code_once", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        return gettext(self.name)


class Unit(models.Model):
    """One device a seller holds, from intake to sale (or to parts or recycling)."""

    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units", limit_choices_to=SELLERS)
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    identifier_kind = models.CharField(_("kind"), max_length=8)
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    source = models.CharField(_("source"), max_length=10, choices=UnitSource.choices)
    status = models.CharField(_("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.RECEIVED)
    currency = models.CharField(_("currency"), max_length=3)
    purchase_amount = models.BigIntegerField(_("purchase cost (minor units)"), default=0)
    # Running totals of the work recorded (kept by the services with F() in the same transaction).
    parts_amount = models.BigIntegerField(_("parts (minor units)"), default=0)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), default=0)
    labour_amount = models.BigIntegerField(_("labour (minor units)"), default=0)
    # Where it came from: the routed trade-in (with its inspection), or the order unit a customer sent back.
    tradein = models.OneToOneField(
        "tradein.TradeIn", null=True, blank=True, on_delete=models.PROTECT, related_name="workshop_unit"
    )
    returned_unit = models.ForeignKey(
        "orders.OrderUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned"),
    )
    # The latest quality check's findings and suggestion.
    battery_health = models.PositiveSmallIntegerField(_("battery health (%)"), null=True, blank=True)
    screen = models.CharField(_("screen"), max_length=12, choices=Cosmetic.choices, blank=True)
    body = models.CharField(_("body"), max_length=12, choices=Cosmetic.choices, blank=True)
    suggested_grade = models.ForeignKey(
        "catalog.Grade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("suggested grade"),
    )
    # Its sale: the listing it joined, the order unit it shipped as.
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("listing")
    )
    order_unit = models.OneToOneField(
        "orders.OrderUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="workshop_unit"
    )
    technician = models.ForeignKey(
        Technician, null=True, blank=True, on_delete=models.SET_NULL, related_name="units", verbose_name=_("technician")
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("in this status since"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    listed_at = models.DateTimeField(_("listed"), null=True, blank=True)
    sold_at = models.DateTimeField(_("sold"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=UnitStatus.values), name="unit_status_valid"),
            models.CheckConstraint(condition=Q(source__in=UnitSource.values), name="unit_source_valid"),
            models.CheckConstraint(
                condition=Q(purchase_amount__gte=0) & Q(parts_amount__gte=0) & Q(labour_amount__gte=0),
                name="unit_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(battery_health__isnull=True) | Q(battery_health__lte=100), name="unit_battery_le_100"
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="unit_currency_iso"),
            models.CheckConstraint(condition=Q(screen__in=["", *Cosmetic.values]), name="unit_screen_valid"),
            models.CheckConstraint(condition=Q(body__in=["", *Cosmetic.values]), name="unit_body_valid"),
            models.CheckConstraint(
                condition=~Q(status=UnitStatus.LISTED) | Q(listing__isnull=False), name="unit_listed_has_listing"
            ),
            # An identifier is the seller's own among its active units: a second one is a mistake.
            models.UniqueConstraint(
                fields=("seller", "identifier"),
                condition=Q(status__in=sorted(ACTIVE)),
                name="unit_active_identifier_once",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller", "status", "due_at"), name="unit_seller_board"),
            models.Index(fields=("identifier",), name="unit_identifier"),
            models.Index(fields=("seller", "received_at"), name="unit_seller_received"),
            models.Index(fields=("listing", "status"), name="unit_listing_status", condition=Q(listing__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.status})"

    @property
    def reference(self) -> str:
        return f"U-{self.pk}"

    @property
    def purchase_cost(self) -> Money:
        return Money(self.purchase_amount, self.currency)

    @property
    def parts_cost(self) -> Money:
        return Money(self.parts_amount, self.currency)

    @property
    def labour_cost(self) -> Money:
        return Money(self.labour_amount, self.currency)

    @property
    def total_cost(self) -> Money:
        """Purchase + parts + labour, in minor units (each labour entry priced when recorded)."""
        return Money(self.purchase_amount + self.parts_amount + self.labour_amount, self.currency)

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Derived: past the due time of its current status."""
        return self.due_at is not None and self.due_at < (now or timezone.now())


class WorkEntry(models.Model):
    """A diagnosis or a repair step: the findings, the labour (priced at the seller's rate when recorded),
    its parts and photos."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="work")
    kind = models.CharField(_("kind"), max_length=10, choices=WorkKind.choices)
    findings = models.TextField(_("findings"), max_length=4000)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), default=0)
    labour_amount = models.BigIntegerField(_("labour (minor units)"), default=0)
    technician = models.ForeignKey(Technician, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("work entry")
        verbose_name_plural = _("work entries")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(kind__in=WorkKind.values), name="work_kind_valid"),
            models.CheckConstraint(condition=Q(labour_amount__gte=0), name="work_labour_not_negative"),
            models.CheckConstraint(condition=Q(labour_minutes__lte=24 * 60), name="work_labour_at_most_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on unit {self.unit_id}"


class PartUsed(models.Model):
    """A part fitted during a repair: what, from whom, what it cost, and its origin (premium needs
    original or manufacturer-certified parts)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="parts")
    work = models.ForeignKey(WorkEntry, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("part"), max_length=120)
    supplier = models.CharField(_("supplier"), max_length=120, blank=True)
    origin = models.CharField(_("origin"), max_length=12, choices=PartOrigin.choices, default=PartOrigin.ORIGINAL)
    cost_amount = models.BigIntegerField(_("cost (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(cost_amount__gte=0), name="part_cost_not_negative"),
            models.CheckConstraint(condition=Q(origin__in=PartOrigin.values), name="part_origin_valid"),
        ]
        indexes: ClassVar = [models.Index(fields=("created_at",), name="part_created")]

    def __str__(self) -> str:
        return self.name

    @property
    def cost(self) -> Money:
        return Money(self.cost_amount, self.currency)


def _photo_path(instance: UnitPhoto, filename: str) -> str:
    return f"unit-photos/{instance.unit_id}/{filename}"


class UnitPhoto(models.Model):
    """A photo of the work, checked by its content, stored privately (served to the seller's members only)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="photos")
    work = models.ForeignKey(WorkEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=_photo_path, storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("unit photo")
        verbose_name_plural = _("unit photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of unit {self.unit_id}"


class QualityCheck(models.Model):
    """The category's test list, item by item (`results`: [{"code", "name", "passed"}] as checked), the
    cosmetic findings, the battery measured, and the grade they suggest when every item passed."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="checks")
    results = models.JSONField(_("items"))
    passed = models.BooleanField(_("passed"))
    screen = models.CharField(_("screen"), max_length=12, choices=Cosmetic.choices)
    body = models.CharField(_("body"), max_length=12, choices=Cosmetic.choices)
    battery_health = models.PositiveSmallIntegerField(_("battery health (%)"))
    suggested_grade = models.ForeignKey(
        "catalog.Grade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("suggested grade"),
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    technician = models.ForeignKey(Technician, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(battery_health__lte=100), name="check_battery_le_100"),
            models.CheckConstraint(
                condition=Q(passed=True) | Q(suggested_grade__isnull=True), name="check_failed_no_grade"
            ),
        ]

    def __str__(self) -> str:
        return f"check {self.pk} of unit {self.unit_id}"

    @property
    def failed_items(self) -> list[dict[str, object]]:
        return [item for item in self.results if not item.get("passed")]


class IdentifierFlag(models.Model):
    """For success managers: an identifier a seller took in that another seller already holds (the unit
    was created; the seller is never told), or that is on the stolen-device blocklist (refused)."""

    seller = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", limit_choices_to=SELLERS)
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    reason = models.CharField(_("reason"), max_length=16, choices=FlagReason.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags")
    other_seller = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("held by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("identifier flag")
        verbose_name_plural = _("identifier flags")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(reason__in=FlagReason.values), name="flag_reason_valid"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("created_at",), name="flag_open", condition=Q(resolved_at__isnull=True)),
            models.Index(fields=("identifier",), name="flag_identifier"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.reason}"
