"""/api/v1/: every app's API routes are included here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace.api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
