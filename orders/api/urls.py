"""Partner orders, included at /api/v1/ (`orders/`)."""

from django.urls import path

from orders.api import views

urlpatterns = [
    path("orders/", views.PartnerOrderList.as_view(), name="api-partner-orders"),
    path("orders/<int:pk>/", views.PartnerOrderDetail.as_view(), name="api-partner-order"),
]
