"""Success console pages (mounted at /console/)."""

from django.urls import path

from sellers import console_views, views

app_name = "console"
urlpatterns = [
    path("", console_views.dashboard, name="dashboard"),
    path("sellers/<int:pk>/", console_views.seller_review, name="seller"),
    path("sellers/<int:pk>/decide/", console_views.seller_decide_view, name="seller_decide"),
    path("documents/<int:pk>/", views.document, name="document"),
]
