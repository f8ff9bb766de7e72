"""Warranty records: one per delivered unit (DOMAIN.md, Orders, warranty, returns).

Start = delivery date, end = start + the listing's warranty months (>= 12). Claims
(a later issue) hang off a warranty; the record already carries what they need:
the unit's identifier, the seller, the order line and the shopper.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Organisation


class Warranty(models.Model):
    unit = models.OneToOneField("orders.OrderUnit", on_delete=models.PROTECT, related_name="warranty")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="warranties")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="warranties")
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="warranties"
    )
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    months = models.PositiveSmallIntegerField(_("months"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-starts_on", "-id")
        verbose_name = _("warranty")
        verbose_name_plural = _("warranties")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(months__gte=12), name="warranty_at_least_12_months"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="warranty_ends_after_start"),
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
