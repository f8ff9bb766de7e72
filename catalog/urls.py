"""Storefront pages of the catalog (mounted at the site root)."""

from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("search/", views.search, name="search"),
    path("p/<slug:slug>/", views.product_detail, name="product"),
    path("sellers/<slug:slug>/", views.seller_detail, name="seller"),
    path("market/", views.market_switch, name="market_switch"),
    path("impact/", views.impact, name="impact"),
]
