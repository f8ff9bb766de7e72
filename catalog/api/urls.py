"""Catalog endpoints under /api/v1/."""

from django.urls import path

from catalog.api import views

urlpatterns = [
    path("categories/", views.CategoryList.as_view(), name="api-categories"),
    path("grades/", views.GradeList.as_view(), name="api-grades"),
    path("products/", views.ProductList.as_view(), name="api-products"),
    path("products/<slug:slug>/", views.ProductDetail.as_view(), name="api-product"),
    path("products/<slug:slug>/offers/", views.OfferList.as_view(), name="api-product-offers"),
]
