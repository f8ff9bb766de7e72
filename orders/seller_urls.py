"""Seller back-office order pages (mounted at /seller/orders/)."""

from django.urls import path

from orders import seller_views

app_name = "seller_orders"
urlpatterns = [
    path("", seller_views.order_list, name="list"),
    path("payouts/", seller_views.payouts, name="payouts"),
    path("<int:pk>/", seller_views.order_detail, name="detail"),
    path("<int:pk>/packing-slip/", seller_views.packing_slip, name="packing_slip"),
    path("<int:pk>/<str:action>/", seller_views.order_action, name="action"),
]
