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
        from tradein.services.carrier import tradein_carrier_scan_recorded
        from warranty.hooks import carrier_scan_recorded

        personal_data.register("tradein", export=privacy.export, erase=privacy.erase)
        # One signed carrier-events endpoint serves every Encore label: warranty records each scan once
        # per event id and passes on those of parcels that are not its labels (trade-ins' are).
        carrier_scan_recorded.connect(tradein_carrier_scan_recorded)
