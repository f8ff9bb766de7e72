"""Success console after-sales pages (mounted at /console/after-sales/)."""

from django.urls import path

from warranty import console_views

app_name = "console_warranty"
urlpatterns = [
    path("claims/", console_views.claim_queue, name="claims"),
    path("claims/<int:pk>/", console_views.claim_detail, name="claim"),
    path("claims/<int:pk>/decide/", console_views.claim_decide_view, name="claim_decide"),
    path("claims/<int:pk>/message/", console_views.claim_message_view, name="claim_message"),
    path("claims/<int:pk>/photos/<int:photo>/", console_views.claim_photo, name="claim_photo"),
    path("reviews/", console_views.review_queue, name="reviews"),
    path("reviews/<int:pk>/moderate/", console_views.review_moderate_view, name="review_moderate"),
    path("scans/", console_views.scan_record, name="scans"),
]
