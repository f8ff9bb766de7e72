"""A partner's dashboard (mounted at /partner/reports/)."""

from django.urls import path

from reporting import views

app_name = "reporting_partner"
urlpatterns = [path("", views.partner, name="dashboard")]
