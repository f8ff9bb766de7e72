"""Categories, product models, variants, grades and listings."""

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.timezones import register_storefront_resolver

        register_storefront_resolver(_storefront_time_zone)


def _storefront_time_zone(request: HttpRequest) -> str:
    """The storefront shows times in its market's time zone (the market is read once per request)."""
    from catalog.markets import current_market

    return current_market(request).time_zone
