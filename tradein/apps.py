"""Quotes, labels, intake, inspection, payout and erasure certificates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeinConfig(AppConfig):
    name = "tradein"
    verbose_name = _("Trade-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.privacy import personal_data
        from tradein import privacy

        personal_data.register("tradein", export=privacy.export, erase=privacy.erase)
