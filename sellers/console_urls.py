"""Success console pages (mounted at /console/)."""

from django.urls import path

from marketplace import views

app_name = "console"
urlpatterns = [
    path("", views.console_dashboard, name="dashboard"),
]
