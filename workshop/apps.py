"""Refurbishment: every unit's life from intake to listing, on the seller's board."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = _("Refurbishment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The workshop sits above trade-in: it learns of routed devices, shipments and customer returns
        # through the lower apps' hooks, and answers their providers; none of them imports it.
        from orders.hooks import seller_order_shipped, shippable_units
        from tradein.hooks import devices_routed
        from warranty.hooks import return_received, unit_history_links
        from workshop.services import intake
        from workshop.views import shopper_history_links

        devices_routed.connect(intake.units_from_routed_tradeins)
        return_received.connect(intake.units_from_return)
        seller_order_shipped.connect(intake.units_shipped)
        shippable_units.register(intake.shippable_units)
        unit_history_links.register(shopper_history_links)
