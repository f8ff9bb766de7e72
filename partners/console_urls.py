"""Success console pages for partner organisations (mounted at /console/partners/)."""

from django.urls import path

from partners import console_views

app_name = "console_partners"
urlpatterns = [
    path("", console_views.partner_list, name="list"),
    path("<int:pk>/invite/", console_views.partner_invite, name="invite"),
]
