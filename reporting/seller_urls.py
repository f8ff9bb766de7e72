"""A seller's dashboard (mounted at /seller/reports/)."""

from django.urls import path

from reporting import views

app_name = "reporting_seller"
urlpatterns = [path("", views.seller, name="dashboard")]
