"""The partner's claims and returns, included at /api/v1/."""

from django.urls import path

from warranty.api import views

urlpatterns = [
    path("claims/", views.PartnerClaimList.as_view(), name="api-claims"),
    path("claims/<int:pk>/", views.PartnerClaimDetail.as_view(), name="api-claim"),
    path("claims/<int:pk>/messages/", views.PartnerClaimMessages.as_view(), name="api-claim-messages"),
    path("claims/<int:pk>/accept/", views.PartnerClaimAccept.as_view(), name="api-claim-accept"),
    path("claims/<int:pk>/dispute/", views.PartnerClaimDispute.as_view(), name="api-claim-dispute"),
    path("claims/<int:pk>/label/", views.PartnerClaimLabel.as_view(), name="api-claim-label"),
    path("orders/<int:pk>/returns/", views.PartnerOrderReturns.as_view(), name="api-order-returns"),
    path("returns/<int:pk>/", views.PartnerReturnDetail.as_view(), name="api-return"),
    path("returns/<int:pk>/label/", views.PartnerReturnLabel.as_view(), name="api-return-label"),
]
