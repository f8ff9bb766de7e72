"""URL map: storefront at /, seller back-office at /seller/, partner back-office at /partner/, success console
at /console/, API at /api/v1/.

The kernel names only URL modules (strings), never app views: each app owns its routes.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults
from django.views.generic import RedirectView

from marketplace import account_views, accounts, health, views
from marketplace.api import errors as api_errors
from marketplace.health import healthz

urlpatterns = [
    path("", include("catalog.root_urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/live", health.live, name="healthz_live"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Accounts are django-allauth's (marketplace/accounts.py); the log-in view is ours only to answer 429.
    path("accounts/login/", accounts.login_view, name="account_login"),
    path("accounts/", include("allauth.urls")),
    # Addresses of the hand-written views that came before, kept working (links in old e-mails, bookmarks).
    path("accounts/sign-up/", RedirectView.as_view(pattern_name="account_signup", query_string=True)),
    path("accounts/password-reset/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("accounts/reset/<str:uidb64>/<str:token>/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("accounts/organisation/", views.organisation_switch, name="organisation_switch"),
    path("account/", account_views.account, name="account"),
    path("account/data.json", account_views.data_export, name="account_data_export"),
    path("account/erase/", account_views.erase, name="account_erase"),
    path("invitations/", include("sellers.invitation_urls")),
    path("seller/orders/", include("orders.seller_urls")),
    path("seller/tradein-lots/", include("tradein.seller_urls")),
    path("seller/workshop/", include("workshop.seller_urls")),
    path("seller/", include("warranty.seller_urls")),
    path("seller/", include("sellers.urls")),
    path("console/trade-ins/", include("tradein.console_urls")),
    path("partner/trade-in/", include("tradein.partner_urls")),
    path("partner/reports/", include("reporting.partner_urls")),
    path("seller/reports/", include("reporting.seller_urls")),
    path("console/reports/", include("reporting.console_urls")),
    path("partner/", include("partners.urls")),
    path("console/partners/", include("partners.console_urls")),
    path("console/after-sales/", include("warranty.console_urls")),
    path("console/workshop/", include("workshop.console_urls")),
    path("console/", include("sellers.console_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("marketplace.api.urls")),
    path("", include("orders.urls")),
    path("", include("warranty.urls")),
    path("", include("tradein.urls")),
    path("", include("workshop.urls")),
    path("", include("catalog.pages_urls")),
    path("", include("catalog.urls")),
]


def handler404(request: HttpRequest, exception: Exception | None = None, **kwargs: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_errors.api_not_found(request)
    return defaults.page_not_found(request, exception)


handler429 = accounts.too_many_requests  # allauth's rate limits answer through it


def handler500(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_errors.api_server_error(request)
    return defaults.server_error(request)


if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
