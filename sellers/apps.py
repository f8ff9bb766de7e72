"""Refurbishers: applications, the 40-day probation, the lifecycle and scoring."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellersConfig(AppConfig):
    name = "sellers"
    verbose_name = _("Sellers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.privacy import personal_data
        from sellers import privacy

        personal_data.register("sellers", export=privacy.export, erase=privacy.erase)
