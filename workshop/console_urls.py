"""Success console: identifiers to look at and a device's life across sellers (mounted at /console/workshop/)."""

from django.urls import path

from workshop import views

app_name = "workshop_console"
urlpatterns = [
    path("", views.console_flags, name="flags"),
    path("identifier/", views.console_identifier, name="identifier"),
    path("flags/<int:pk>/resolve/", views.console_flag_resolve, name="flag_resolve"),
]
