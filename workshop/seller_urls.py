"""Seller back-office refurbishment pages (mounted at /seller/workshop/)."""

from django.urls import path

from workshop import views

app_name = "workshop"
urlpatterns = [
    path("", views.board_view, name="board"),
    path("variants/", views.variant_picker, name="variant_picker"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/listing/", views.unit_listing, name="unit_listing"),
    path("units/<int:pk>/photos/<int:photo>/", views.unit_photo, name="unit_photo"),
    path("units/<int:pk>/<str:action>/", views.unit_action, name="unit_action"),
    path("import/", views.import_view, name="import"),
    path("import/template.csv", views.import_template_view, name="import_template"),
    path("reports/", views.reports_view, name="reports"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/technicians/", views.technician_view, name="technician_add"),
    path("settings/technicians/<int:pk>/", views.technician_view, name="technician"),
]
