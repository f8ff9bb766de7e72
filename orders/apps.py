"""Carts, checkout, payment, seller orders and the seller ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.privacy import personal_data
        from orders import (
            checks,  # noqa: F401  (registers the deploy check)
            privacy,
        )

        personal_data.register("orders", export=privacy.export, erase=privacy.erase)
