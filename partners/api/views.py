"""Webhook endpoints and deliveries (`/api/v1/webhook-endpoints/`, `/api/v1/webhook-deliveries/`).

For partner and seller keys alike, with the scope `webhooks:write` (which includes reading).
Everything is scoped to the key's organisation: another organisation's endpoint or delivery is
a 404. POSTs accept an `Idempotency-Key`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.api.endpoints import OrganisationEndpoint
from marketplace.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Scope
from partners import selectors
from partners.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointPatchSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
    WebhookEndpointWriteSerializer,
)
from partners.models import WebhookDelivery, WebhookEndpoint
from partners.services.delivery import delivery_redeliver
from partners.services.endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_ping,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)
from partners.signatures import VERIFY_DOCUMENTATION
from partners.states import DeliveryStatus

TAG = "webhooks"
ALL_METHODS = dict.fromkeys(("GET", "POST", "PATCH", "DELETE"), Scope.WEBHOOKS_WRITE)


class WebhookEndpointBase(OrganisationEndpoint):
    """Partner or seller: the key's organisation (or the session's acting one) owns the endpoints."""

    required_scopes: ClassVar = ALL_METHODS

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.organisation is None and hasattr(self, request.method.lower()) and request.method != "OPTIONS":
            raise exceptions.PermissionDenied("You are not a member of an organisation.")

    def endpoint(self, pk: int) -> WebhookEndpoint:
        return selectors.webhook_endpoint_get(organisation=self.organisation, id=pk)


@extend_schema_view(
    get=extend_schema(summary="List the organisation's webhook endpoints", tags=[TAG]),
)
class WebhookEndpointListCreate(WebhookEndpointBase, generics.ListAPIView[WebhookEndpoint]):
    """Endpoints receive the organisation's events, signed; see the create operation for how to verify."""

    serializer_class = WebhookEndpointSerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.webhook_endpoint_list(organisation=self.organisation)

    @extend_schema(
        summary="Add a webhook endpoint",
        description="The answer carries the endpoint's signing `secret`, shown this once.\n" + VERIFY_DOCUMENTATION,
        tags=[TAG],
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint, secret = webhook_endpoint_create(
            organisation=self.require_organisation(),
            url=data["url"],
            events=data["events"],
            description=data["description"],
            enabled=data["enabled"],
            actor=self.actor,
        )
        endpoint.secret = secret
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Get a webhook endpoint", tags=[TAG]),
)
class WebhookEndpointDetail(WebhookEndpointBase, generics.RetrieveAPIView[WebhookEndpoint]):
    serializer_class = WebhookEndpointSerializer

    def get_object(self) -> WebhookEndpoint:
        return self.endpoint(self.kwargs["pk"])

    @extend_schema(
        summary="Change a webhook endpoint",
        description="Enabling an endpoint clears its failure record; disabling it fails its open deliveries.",
        tags=[TAG],
        request=WebhookEndpointPatchSerializer,
        responses=WebhookEndpointSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = self.endpoint(pk)
        serializer = WebhookEndpointPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = webhook_endpoint_update(
            endpoint=endpoint,
            actor=self.actor,
            url=data.get("url"),
            events=data.get("events"),
            description=data.get("description"),
            enabled=data.get("enabled"),
        )
        return Response(WebhookEndpointSerializer(self.endpoint(endpoint.pk)).data)

    @extend_schema(summary="Delete a webhook endpoint (with its delivery log)", tags=[TAG], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        webhook_endpoint_delete(endpoint=self.endpoint(pk), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecret(WebhookEndpointBase):
    @extend_schema(
        summary="Rotate an endpoint's signing secret",
        description="A new secret signs from now on; the previous one keeps signing for 24 h, and the "
        "`Encore-Signature` header carries one `v1=` per valid secret meanwhile. The new secret is in "
        "this answer only.",
        tags=[TAG],
        request=None,
        responses=WebhookEndpointWithSecretSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        endpoint, secret = webhook_endpoint_rotate_secret(endpoint=self.endpoint(pk), actor=self.actor)
        endpoint.secret = secret
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookEndpointPing(WebhookEndpointBase):
    @extend_schema(
        summary="Send a ping event to an endpoint",
        description="A `ping` event goes to this endpoint only, once (no retries), enabled or not. The answer is "
        "its delivery, pending: follow it under the endpoint's deliveries.",
        tags=[TAG],
        request=None,
        responses={202: WebhookDeliverySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        delivery = webhook_endpoint_ping(endpoint=self.endpoint(pk), actor=self.actor)
        delivery = selectors.delivery_get(organisation=self.organisation, id=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(
        summary="List an endpoint's deliveries, newest first",
        description="Each with every attempt: time, HTTP status (none on a timeout), duration, the first 1 KB "
        "of the answer.",
        tags=[TAG],
        parameters=[
            OpenApiParameter("status", str, enum=DeliveryStatus.values, description="Only deliveries in this status.")
        ],
    )
)
class WebhookEndpointDeliveries(WebhookEndpointBase, generics.ListAPIView[WebhookDelivery]):
    serializer_class = WebhookDeliverySerializer
    filter_backends: ClassVar = []

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in DeliveryStatus.values:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                f"Unknown status {wanted!r}.",
                errors=[{"field": "status", "message": f"One of {', '.join(DeliveryStatus.values)}."}],
            )
        endpoint = self.endpoint(self.kwargs["pk"])
        return selectors.delivery_list(organisation=self.organisation, endpoint=endpoint, status=wanted)


class WebhookDeliveryRedeliver(WebhookEndpointBase):
    @extend_schema(
        summary="Redeliver a delivery now",
        description="One more attempt, whatever the delivery's status (logged as manual). 409 while an attempt is "
        "in progress or when the endpoint is disabled.",
        tags=[TAG],
        request=None,
        responses={202: WebhookDeliverySerializer, 409: OpenApiResponse(description="Not now (see the problem).")},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        delivery = selectors.delivery_get(organisation=self.organisation, id=pk)
        delivery_redeliver(delivery=delivery, actor=self.actor)
        delivery = selectors.delivery_get(organisation=self.organisation, id=pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
