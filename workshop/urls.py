"""Storefront pages of the workshop (mounted at the site root): a shopper's refurbishment record of a unit."""

from django.urls import path

from workshop import views

app_name = "workshop_shopper"
urlpatterns = [
    path("account/warranties/<int:warranty_id>/refurbishment/", views.shopper_unit_history, name="history"),
]
