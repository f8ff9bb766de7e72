"""Test-only endpoints that exercise the API plumbing (scopes, tenancy, idempotency, throttling).

Domain endpoints come with their apps; these stand in so the kernel is tested on its own.
"""

import threading
from typing import ClassVar

from django.urls import include, path
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.idempotency import idempotent
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import ApiKey, Scope
from marketplace.tenancy import acting_organisation, get_scoped_or_404, scope

# Tests set this to hold a request inside its handler (for the concurrent-idempotency test).
HOLD = {"event": None, "entered": None}
CALLS = {"count": 0}


class ApiKeyOut(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ("id", "name", "prefix", "scopes")


class EchoIn(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    quantity = serializers.IntegerField(min_value=1)


class OwnKeys(generics.ListAPIView):
    serializer_class = ApiKeyOut
    required_scopes: ClassVar = {"GET": Scope.ORDERS_READ}
    organisation_kind = "seller"

    def get_queryset(self):
        return scope(ApiKey.objects.all(), acting_organisation(self.request))


class OwnKey(generics.RetrieveAPIView):
    serializer_class = ApiKeyOut
    required_scopes: ClassVar = {"GET": Scope.ORDERS_READ}
    organisation_kind = "seller"

    def get_object(self):
        return get_scoped_or_404(ApiKey.objects.all(), acting_organisation(self.request), pk=self.kwargs["pk"])


class Echo(APIView):
    required_scopes: ClassVar = {"POST": Scope.ORDERS_WRITE}

    @idempotent
    def post(self, request: Request) -> Response:
        serializer = EchoIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["name"] == "refuse":
            raise ApplicationError(ErrorCode.OUT_OF_STOCK, "Only 0 left.")
        if HOLD["event"] is not None:
            HOLD["entered"].set()
            HOLD["event"].wait(10)
        CALLS["count"] += 1
        return Response(
            {"n": CALLS["count"], "echo": serializer.validated_data, "thread": threading.get_ident() % 1},
            status=status.HTTP_201_CREATED,
        )


class Crash(APIView):
    required_scopes: ClassVar = {"GET": Scope.CATALOG_READ}
    public_methods: ClassVar = {"GET"}

    def get(self, request: Request) -> Response:
        raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/test/keys/", OwnKeys.as_view()),
    path("api/v1/test/keys/<int:pk>/", OwnKey.as_view()),
    path("api/v1/test/echo/", Echo.as_view()),
    path("api/v1/test/crash/", Crash.as_view()),
    path("", include("marketplace.urls")),
]
handler404 = "marketplace.urls.handler404"
handler500 = "marketplace.urls.handler500"
