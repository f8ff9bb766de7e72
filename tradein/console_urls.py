"""Trade-in console pages (mounted at /console/trade-ins/)."""

from django.urls import path

from tradein import console_views

app_name = "tradein_console"
urlpatterns = [
    path("", console_views.dashboard, name="dashboard"),
    path("intake/", console_views.intake, name="intake"),
    path("payouts/", console_views.payouts, name="payouts"),
    path("payouts/files/", console_views.batch_create, name="batch_create"),
    path("payouts/files/<int:pk>.xml", console_views.batch_download, name="batch_download"),
    path("payouts/files/<int:pk>/sent/", console_views.batch_sent, name="batch_sent"),
    path("grid/", console_views.grid, name="grid"),
    path("grid.csv", console_views.grid_csv, name="grid_csv"),
    path("lots/", console_views.lots, name="lots"),
    path("lots/<int:pk>/close/", console_views.lot_close_view, name="lot_close"),
    path("<str:reference>/", console_views.detail, name="detail"),
    path("<str:reference>/inspect/", console_views.inspect, name="inspect"),
    path("<str:reference>/erasure/", console_views.erasure, name="erasure"),
    path("<str:reference>/recycle/", console_views.recycle, name="recycle"),
    path("<str:reference>/photos/<int:pk>/", console_views.photo, name="photo"),
]
