"""Sellers: the refurbisher behind a seller organisation, its documents and its probation counters."""

import os
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, Organisation
from sellers.states import SellerStatus


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
        ]
        indexes: ClassVar = [models.Index(fields=("status", "probation_ends_at"), name="seller_status_probation_end")]

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


class ProbationDay(models.Model):
    """New listings a seller created on one calendar day of its home market (the probation cap's counter)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="probation_days")
    day = models.DateField(_("day"))
    listings_created = models.PositiveSmallIntegerField(_("new listings"), default=0)

    class Meta:
        verbose_name = _("probation day")
        verbose_name_plural = _("probation days")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("seller", "day"), name="probation_day_unique"),
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
