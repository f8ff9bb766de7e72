"""Seller endpoints for units in refurbishment, under /api/v1/seller/units/."""

from django.urls import path

from workshop.api import views

urlpatterns = [
    path("", views.UnitListCreate.as_view(), name="api-seller-units"),
    path("import/", views.UnitImport.as_view(), name="api-seller-units-import"),
    path("<int:pk>/", views.UnitDetail.as_view(), name="api-seller-unit"),
    path("<int:pk>/transition/", views.UnitTransition.as_view(), name="api-seller-unit-transition"),
    path("<int:pk>/quality-check/", views.UnitQualityCheck.as_view(), name="api-seller-unit-quality-check"),
    path("<int:pk>/listing/", views.UnitListing.as_view(), name="api-seller-unit-listing"),
    path("<int:pk>/photos/<int:photo_id>/", views.UnitPhotoDownload.as_view(), name="api-seller-unit-photo"),
]
