"""Storefront after-sales pages (mounted at the site root), the public reviews of a seller, and the
signed carrier-events endpoint."""

from django.urls import path

from warranty import views

app_name = "warranty"
urlpatterns = [
    path("account/warranties/", views.account_warranties, name="account_warranties"),
    path("account/warranties/<int:warranty_id>/claim/", views.claim_new, name="claim_new"),
    path("account/claims/", views.account_claims, name="account_claims"),
    path("account/claims/<int:pk>/", views.account_claim, name="account_claim"),
    path("account/claims/<int:pk>/label.pdf", views.account_claim_label, name="account_claim_label"),
    path("account/claims/<int:pk>/photos/<int:photo>/", views.account_claim_photo, name="account_claim_photo"),
    path("account/claims/<int:pk>/<str:action>/", views.account_claim_action, name="account_claim_action"),
    path("account/orders/<str:number>/returns/<int:seller_order_id>/", views.return_new, name="return_new"),
    path("account/returns/<int:pk>/", views.account_return, name="account_return"),
    path("account/returns/<int:pk>/label.pdf", views.account_return_label, name="account_return_label"),
    path("account/returns/<int:pk>/cancel/", views.account_return_cancel, name="account_return_cancel"),
    path("account/reviews/<int:line_id>/", views.account_review, name="account_review"),
    path("sellers/<slug:slug>/reviews/", views.seller_reviews, name="seller_reviews"),
    path("reviews/<int:pk>/report/", views.review_report_view, name="review_report"),
    path("carrier/events/", views.carrier_events, name="carrier_events"),
]
