"""The platform's dashboard (mounted at /console/reports/)."""

from django.urls import path

from reporting import views

app_name = "reporting_console"
urlpatterns = [path("", views.platform, name="dashboard")]
