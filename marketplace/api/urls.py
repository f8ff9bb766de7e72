"""/api/v1/: every app's API routes are included here."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace.api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI starts from an inline script and draws inline styles: the docs page alone allows them.
    path(
        "docs/",
        csp_replace({"script-src": [SELF, UNSAFE_INLINE], "style-src": [SELF, UNSAFE_INLINE]})(
            SpectacularSwaggerView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("markets/", views.MarketList.as_view(), name="api-markets"),
    path("problems/<slug:code>", views.ProblemType.as_view(), name="api-problem-type"),
    path("", include("catalog.api.urls")),
    path("seller/orders/", include("orders.api.seller_urls")),
    path("seller/", include("warranty.api.seller_urls")),
    path("seller/", include("sellers.api.urls")),
    path("seller/units/", include("workshop.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("warranty.api.urls")),
    path("", include("tradein.api.urls")),
    path("", include("partners.api.urls")),
]
