"""Seller back-office order pages (mounted at /seller/orders/)."""

from django.urls import path

from orders import seller_views

app_name = "seller_orders"
urlpatterns = [
    path("", seller_views.order_list, name="list"),
    path("payouts/", seller_views.payouts, name="payouts"),
    path("payouts/connect/", seller_views.connect_start, name="connect_start"),
    path("payouts/connect/return/", seller_views.connect_return, name="connect_return"),
    path("payouts/connect/refresh/", seller_views.connect_refresh, name="connect_refresh"),
    path("<int:pk>/", seller_views.order_detail, name="detail"),
    path("<int:pk>/packing-slip/", seller_views.packing_slip, name="packing_slip"),
    path("<int:pk>/<str:action>/", seller_views.order_action, name="action"),
]
