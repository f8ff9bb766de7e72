"""Seller back-office after-sales pages (mounted at /seller/): claims, returns, reviews."""

from django.urls import path

from warranty import seller_views

app_name = "seller_warranty"
urlpatterns = [
    path("claims/", seller_views.claim_list, name="claims"),
    path("claims/<int:pk>/", seller_views.claim_detail, name="claim"),
    path("claims/<int:pk>/photos/<int:photo>/", seller_views.claim_photo, name="claim_photo"),
    path("claims/<int:pk>/<str:action>/", seller_views.claim_action, name="claim_action"),
    path("returns/", seller_views.return_list, name="returns"),
    path("returns/<int:pk>/", seller_views.return_detail, name="return"),
    path("returns/<int:pk>/receive/", seller_views.return_receive, name="return_receive"),
    path("reviews/", seller_views.review_list, name="reviews"),
    path("reviews/<int:pk>/reply/", seller_views.review_reply_view, name="review_reply"),
    path("reviews/<int:pk>/report/", seller_views.review_report_view, name="review_report"),
]
