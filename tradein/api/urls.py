"""Trade-in API routes, included at /api/v1/."""

from django.urls import path

from tradein.api import views

urlpatterns = [
    path("tradein/questionnaire/", views.Questionnaire.as_view(), name="api-tradein-questionnaire"),
    path("tradein/quotes/", views.QuoteCreate.as_view(), name="api-tradein-quotes"),
    path("tradein/quotes/<int:pk>/accept/", views.QuoteAccept.as_view(), name="api-tradein-quote-accept"),
    path("tradeins/", views.TradeInList.as_view(), name="api-tradeins"),
    path("tradeins/<int:pk>/", views.TradeInDetail.as_view(), name="api-tradein"),
    path("tradeins/<int:pk>/label/", views.TradeInLabel.as_view(), name="api-tradein-label"),
    path("tradeins/<int:pk>/certificate/", views.TradeInCertificate.as_view(), name="api-tradein-certificate"),
    path(
        "tradeins/<int:pk>/counter-offer/accept/", views.CounterOfferAccept.as_view(), name="api-tradein-counter-accept"
    ),
    path(
        "tradeins/<int:pk>/counter-offer/decline/",
        views.CounterOfferDecline.as_view(),
        name="api-tradein-counter-decline",
    ),
    path("tradein/batches/", views.BatchListCreate.as_view(), name="api-tradein-batches"),
    path("tradein/batches/<int:pk>/", views.BatchDetail.as_view(), name="api-tradein-batch"),
    path("tradein/batches/<int:pk>/accept/", views.BatchAccept.as_view(), name="api-tradein-batch-accept"),
    path(
        "tradein/batches/<int:pk>/counter-offers/",
        views.BatchCounterOffers.as_view(),
        name="api-tradein-batch-counter-offers",
    ),
    path("tradein/batches/<int:pk>/labels/", views.BatchLabels.as_view(), name="api-tradein-batch-labels"),
    path("tradein/batches/<int:pk>/report/", views.BatchReport.as_view(), name="api-tradein-batch-report"),
    path(
        "tradein/batches/<int:pk>/certificates/",
        views.BatchCertificates.as_view(),
        name="api-tradein-batch-certificates",
    ),
    path(
        "tradein/batches/<int:pk>/credit-note/", views.BatchCreditNote.as_view(), name="api-tradein-batch-credit-note"
    ),
    path("seller/tradein-lots/", views.SellerLotList.as_view(), name="api-seller-tradein-lots"),
    path("seller/tradein-lots/<int:pk>/bids/", views.SellerLotBid.as_view(), name="api-seller-tradein-lot-bids"),
]
