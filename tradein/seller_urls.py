"""Trade-in supply in the seller back-office (mounted at /seller/tradein-lots/)."""

from django.urls import path

from tradein import seller_views

app_name = "tradein_seller"
urlpatterns = [
    path("", seller_views.lots, name="lots"),
    path("<int:pk>/bid/", seller_views.bid, name="bid"),
]
