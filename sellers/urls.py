"""Seller back-office pages (mounted at /seller/)."""

from django.urls import path

from sellers import listing_views, performance_views, views

app_name = "seller"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("apply/", views.apply, name="apply"),
    path("listings/", listing_views.listing_list, name="listings"),
    path("listings/new/", listing_views.listing_create_view, name="listing_create"),
    path("listings/bulk/", listing_views.listing_bulk, name="listing_bulk"),
    path("listings/import/", listing_views.listing_import_view, name="listing_import"),
    path("listings/export.csv", listing_views.listing_export_view, name="listing_export"),
    path("listings/template.csv", listing_views.listing_template_view, name="listing_template"),
    path("listings/variants/", listing_views.variant_picker, name="variant_picker"),
    path("listings/price-hint/", listing_views.price_hint, name="price_hint"),
    path("listings/<int:pk>/", listing_views.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/inline/", listing_views.listing_inline, name="listing_inline"),
    path("listings/<int:pk>/status/", listing_views.listing_status, name="listing_status"),
    path("listings/<int:pk>/photos/", listing_views.listing_photos_add, name="listing_photos"),
    path(
        "listings/<int:pk>/photos/<int:photo>/delete/",
        listing_views.listing_photo_remove,
        name="listing_photo_delete",
    ),
    path("performance/", performance_views.performance, name="performance"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/remove/", views.team_remove, name="team_remove"),
    path("documents/<int:pk>/", views.document, name="document"),
]
