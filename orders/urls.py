"""Storefront order pages (mounted at the site root)."""

from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/offer/<int:listing_id>/", views.cart_add_offer, name="offer"),
    path("cart/lines/<int:line_id>/", views.cart_update, name="cart_update"),
    path("cart/accept-changes/", views.cart_accept_changes, name="cart_accept_changes"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/totals/", views.checkout_totals, name="checkout_totals"),
    path("checkout/<str:number>/pay/", views.pay, name="pay"),
    path("checkout/<str:number>/test-payment/", views.test_pay, name="test_pay"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("account/orders/", views.account_orders, name="account_orders"),
    path("account/orders/<str:number>/", views.account_order, name="account_order"),
    path(
        "account/orders/<str:number>/cancel/<int:seller_order_id>/",
        views.account_seller_order_cancel,
        name="account_cancel",
    ),
]
