"""Impact and finance dashboards: rollup tables refreshed by workers, read by the console, the seller and
the partner back-offices (DOMAIN.md, Impact and reporting)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")
    default_auto_field = "django.db.models.BigAutoField"
