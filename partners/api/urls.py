"""Webhook endpoints and deliveries, included at /api/v1/."""

from django.urls import path

from partners.api import views

urlpatterns = [
    path("webhook-endpoints/", views.WebhookEndpointListCreate.as_view(), name="api-webhook-endpoints"),
    path("webhook-endpoints/<int:pk>/", views.WebhookEndpointDetail.as_view(), name="api-webhook-endpoint"),
    path(
        "webhook-endpoints/<int:pk>/rotate-secret/",
        views.WebhookEndpointRotateSecret.as_view(),
        name="api-webhook-endpoint-rotate-secret",
    ),
    path("webhook-endpoints/<int:pk>/ping/", views.WebhookEndpointPing.as_view(), name="api-webhook-endpoint-ping"),
    path(
        "webhook-endpoints/<int:pk>/deliveries/",
        views.WebhookEndpointDeliveries.as_view(),
        name="api-webhook-endpoint-deliveries",
    ),
    path(
        "webhook-deliveries/<int:pk>/redeliver/",
        views.WebhookDeliveryRedeliver.as_view(),
        name="api-webhook-delivery-redeliver",
    ),
]
