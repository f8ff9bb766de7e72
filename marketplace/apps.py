from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from marketplace.usercache import user_cache_signed_in

        user_logged_in.connect(user_cache_signed_in, dispatch_uid="usercache-signed-in")
