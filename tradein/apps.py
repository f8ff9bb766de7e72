"""Quotes, labels, intake, inspection, payout and erasure certificates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeinConfig(AppConfig):
    name = "tradein"
    verbose_name = _("Trade-in")
    default_auto_field = "django.db.models.BigAutoField"
