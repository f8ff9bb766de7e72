"""Warranties of delivered units, claims and returns."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from orders.hooks import seller_order_delivered


class WarrantyConfig(AppConfig):
    name = "warranty"
    verbose_name = _("Warranty")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Warranty sits above orders: it learns of deliveries through orders' hook (orders never
        # imports warranty). Imported here: the services need the app registry ready.
        from marketplace.privacy import personal_data
        from warranty import privacy
        from warranty.services.warranties import warranties_create_for_delivery

        seller_order_delivered.connect(warranties_create_for_delivery)
        personal_data.register("warranty", export=privacy.export, erase=privacy.erase)
