"""Refurbishers: applications, the 40-day probation, the lifecycle and scoring."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Sellers")
    default_auto_field = "django.db.models.BigAutoField"
