"""Seller back-office pages (mounted at /seller/)."""

from django.urls import path

from sellers import views

app_name = "seller"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("apply/", views.apply, name="apply"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/remove/", views.team_remove, name="team_remove"),
    path("documents/<int:pk>/", views.document, name="document"),
]
