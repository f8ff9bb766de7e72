"""Storefront trade-in pages (mounted at the site root)."""

from django.urls import path

from tradein import views

app_name = "tradein"
urlpatterns = [
    path("sell/", views.sell_start, name="sell"),
    path("sell/quotes/<str:reference>/", views.quote_detail, name="quote"),
    path("sell/<slug:slug>/", views.sell_device, name="sell_device"),
    path("account/devices/", views.account_devices, name="account_devices"),
    path("account/devices/guarantees/<int:pk>/redeem/", views.account_guarantee_redeem, name="guarantee_redeem"),
    path("account/trade-ins/", views.account_list, name="account_list"),
    path("account/trade-ins/<str:reference>/", views.account_detail, name="account_detail"),
    path("account/trade-ins/<str:reference>/label.pdf", views.account_label, name="account_label"),
    path("account/trade-ins/<str:reference>/return-label.pdf", views.account_return_label, name="account_return_label"),
    path("account/trade-ins/<str:reference>/certificate.pdf", views.account_certificate, name="account_certificate"),
    path("account/trade-ins/<str:reference>/counter-offer/", views.account_counter_offer, name="account_counter_offer"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
]
