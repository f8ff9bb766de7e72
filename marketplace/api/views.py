"""Kernel endpoints: markets, and the pages that problem `type` URIs point to."""

from __future__ import annotations

from typing import ClassVar

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.pagination import CursorPagination
from marketplace.api.serializers import MarketSerializer
from marketplace.errors import ERROR_STATUS, ERROR_TITLES, ErrorCode
from marketplace.models import Market, Scope


class MarketPagination(CursorPagination):
    ordering = ("position", "code")  # type: ignore[assignment]  # DRF accepts a tuple; its stubs say str


@extend_schema_view(get=extend_schema(summary="List markets", tags=["catalog"]))
class MarketList(generics.ListAPIView[Market]):
    """The country storefronts: code, country, currency, language(s), time zone, VAT rate."""

    serializer_class = MarketSerializer
    queryset = Market.objects.filter(is_active=True)
    pagination_class = MarketPagination
    filter_backends = ()
    required_scopes: ClassVar = {"GET": Scope.CATALOG_READ}
    public_methods: ClassVar = {"GET"}


class ProblemType(APIView):
    """What a problem `type` URI means: its HTTP status and title."""

    permission_classes = ()
    authentication_classes = ()
    throttle_classes = ()

    @extend_schema(
        summary="Describe a problem type",
        tags=["meta"],
        responses=inline_serializer(
            "ProblemType",
            {"type": serializers.CharField(), "status": serializers.IntegerField(), "title": serializers.CharField()},
        ),
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            error_code = ErrorCode(code)
        except ValueError:
            raise Http404 from None
        return Response({"type": code, "status": ERROR_STATUS[error_code], "title": str(ERROR_TITLES[error_code])})
