"""Seller back-office pages (mounted at /seller/)."""

from django.urls import path

from marketplace import views

app_name = "seller"
urlpatterns = [
    path("", views.seller_dashboard, name="dashboard"),
]
