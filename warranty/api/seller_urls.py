"""The seller's claims and returns, included at /api/v1/seller/."""

from django.urls import path

from warranty.api import views

urlpatterns = [
    path("claims/", views.SellerClaimList.as_view(), name="api-seller-claims"),
    path("claims/<int:pk>/", views.SellerClaimDetail.as_view(), name="api-seller-claim"),
    path("claims/<int:pk>/respond/", views.SellerClaimRespond.as_view(), name="api-seller-claim-respond"),
    path("claims/<int:pk>/messages/", views.SellerClaimMessages.as_view(), name="api-seller-claim-messages"),
    path(
        "claims/<int:pk>/unit-received/", views.SellerClaimUnitReceived.as_view(), name="api-seller-claim-unit-received"
    ),
    path("claims/<int:pk>/resolve/", views.SellerClaimResolve.as_view(), name="api-seller-claim-resolve"),
    path("returns/", views.SellerReturnList.as_view(), name="api-seller-returns"),
    path("returns/<int:pk>/", views.SellerReturnDetail.as_view(), name="api-seller-return"),
    path("returns/<int:pk>/receive/", views.SellerReturnReceive.as_view(), name="api-seller-return-receive"),
]
