"""Seller orders, included at /api/v1/seller/orders/."""

from django.urls import path

from orders.api import views

urlpatterns = [
    path("", views.SellerOrderList.as_view(), name="api-seller-orders"),
    path("<int:pk>/", views.SellerOrderDetail.as_view(), name="api-seller-order"),
    path("<int:pk>/accept/", views.SellerOrderAccept.as_view(), name="api-seller-order-accept"),
    path("<int:pk>/ship/", views.SellerOrderShip.as_view(), name="api-seller-order-ship"),
    path("<int:pk>/deliver/", views.SellerOrderDeliver.as_view(), name="api-seller-order-deliver"),
]
