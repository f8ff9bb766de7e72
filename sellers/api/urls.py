"""Seller endpoints under /api/v1/seller/."""

from django.urls import path

from sellers.api import views

urlpatterns = [
    path("listings/", views.ListingListCreate.as_view(), name="api-seller-listings"),
    path("listings/import/", views.ListingImport.as_view(), name="api-seller-listings-import"),
    path("listings/<int:pk>/", views.ListingDetail.as_view(), name="api-seller-listing"),
    path("performance/", views.PerformanceView.as_view(), name="api-seller-performance"),
]
