"""Catalog endpoints (API.md): public reads, also with a `catalog:read` key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.filters import PRODUCT_ORDERINGS, OfferFilter, ProductFilter
from catalog.api.serializers import (
    CategorySerializer,
    GradeSerializer,
    OfferSerializer,
    ProductDetailSerializer,
    ProductSerializer,
)
from catalog.models import Category, Grade, Listing, Product
from catalog.selectors.buy_box import buy_boxes, seller_scores_of
from catalog.selectors.product_page import ProductPage, product_page
from catalog.selectors.reference import markets_active
from catalog.versioning import ANY_MARKET, scope_version
from marketplace.api.pagination import CursorPagination
from marketplace.models import Market, Scope


class CatalogReadMixin:
    required_scopes: ClassVar = {"GET": Scope.CATALOG_READ}
    public_methods: ClassVar = {"GET"}


class CategoryPagination(CursorPagination):
    ordering = ("position", "id")
    page_size = 100


class SlugPagination(CursorPagination):
    ordering = ("slug",)

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return PRODUCT_ORDERINGS.get(request.query_params.get("ordering") or "slug", ("slug",))


class OfferPagination(CursorPagination):
    ordering = ("price_amount", "id")


@extend_schema_view(get=extend_schema(summary="List categories", tags=["catalog"]))
class CategoryList(CatalogReadMixin, generics.ListAPIView):
    """The category tree, flattened: each category names its parent (null for the six top-level ones)."""

    serializer_class = CategorySerializer
    queryset = Category.objects.select_related("parent")
    pagination_class = CategoryPagination
    filter_backends: ClassVar = []


@extend_schema_view(get=extend_schema(summary="List grades", tags=["catalog"]))
class GradeList(CatalogReadMixin, generics.ListAPIView):
    """The grade table: code, name, cosmetic criteria and minimum battery health."""

    serializer_class = GradeSerializer
    queryset = Grade.objects.all()
    pagination_class = None
    filter_backends: ClassVar = []


@extend_schema_view(get=extend_schema(summary="List product models", tags=["catalog"]))
class ProductList(CatalogReadMixin, generics.ListAPIView):
    """Product models with filters, search (`q`, typos forgiven) and cursor pagination.

    With `?market=` only products with a visible offer in that market are listed, with
    `from_price` (the lowest all-in price there). `ordering=price|-price` needs `market`.
    """

    serializer_class = ProductSerializer
    queryset = Product.objects.select_related("brand", "category")
    pagination_class = SlugPagination
    filterset_class = ProductFilter

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.query_params.get("ordering") in ("price", "-price") and not request.query_params.get("market"):
            raise exceptions.ValidationError({"ordering": ["Ordering by price needs ?market=."]})
        # Public data, the same for every caller: cached per version of the market's offers (replaced on
        # commit by every write that changes what is listed), keyed by the absolute URL (the `next` link is
        # absolute).
        url_hash = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        version = scope_version(market=request.query_params.get("market") or ANY_MARKET)
        key = f"catalog:api:products:{version}:{url_hash}"
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.data, 600)
        return response

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        markets = {market.code: market for market in markets_active()}
        market = markets.get(self.request.query_params.get("market") or "")
        context["currency"] = market.currency if market else None
        return context


@dataclass
class _DetailPage:
    page: ProductPage
    market_code: str


def _market_param(request: Request) -> Market:
    code = request.query_params.get("market")
    markets = Market.objects.filter(is_active=True)
    market = markets.filter(code=code).first() if code else markets.first()
    if market is None:
        raise exceptions.ValidationError({"market": ["Unknown market."]})
    return market


MARKET_PARAMETER = OpenApiParameter("market", str, description="Market code (default: the first market, fr).")
VARIANT_PARAMETER = OpenApiParameter(
    "variant", int, description="Variant id (default: the variant with the cheapest offer)."
)


class ProductDetail(CatalogReadMixin, generics.GenericAPIView):
    """A product model with its variants and, per grade, the lowest price and the buy-box offer in a market."""

    serializer_class = ProductDetailSerializer
    queryset = Product.objects.select_related("brand", "category")
    lookup_field = "slug"
    filter_backends: ClassVar = []
    pagination_class = None

    @extend_schema(summary="Get a product model", tags=["catalog"], parameters=[MARKET_PARAMETER, VARIANT_PARAMETER])
    def get(self, request: Request, slug: str) -> Response:
        product = get_object_or_404(self.queryset, slug=slug)
        market = _market_param(request)
        variant = request.query_params.get("variant")
        try:
            variant_id = int(variant) if variant else None
        except ValueError:
            raise exceptions.ValidationError({"variant": ["A variant id is a whole number."]}) from None
        page = product_page(product=product, market=market, variant_id=variant_id)
        serializer = self.get_serializer(product, context={"request": request, "page": _DetailPage(page, market.code)})
        return Response(serializer.data)


@extend_schema_view(get=extend_schema(summary="List a product model's offers", tags=["catalog"]))
class OfferList(CatalogReadMixin, generics.ListAPIView):
    """Visible offers (active, in stock) of a product model, cheapest first; `featured` marks buy-box holders."""

    serializer_class = OfferSerializer
    pagination_class = OfferPagination
    filterset_class = OfferFilter

    def get_queryset(self) -> QuerySet[Listing]:
        if getattr(self, "swagger_fake_view", False):
            return Listing.objects.none()
        product = Product.objects.filter(slug=self.kwargs["slug"]).first()
        if product is None:
            raise Http404
        return Listing.objects.visible().filter(variant__product=product).select_related("seller")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        groups = {(o.variant_id, o.grade_id, o.market_id) for o in page or []}
        featured_ids: set[int] = set()
        if groups:
            competing = list(
                Listing.objects.visible()
                .filter(
                    variant_id__in={g[0] for g in groups},
                    grade_id__in={g[1] for g in groups},
                    market_id__in={g[2] for g in groups},
                )
                .select_related("seller__catalog_standing")
            )
            scores = seller_scores_of(competing)
            featured_ids = {w.pk for key, w in buy_boxes(competing, seller_scores=scores).items() if key in groups}
        serializer = self.get_serializer(
            page, many=True, context={**self.get_serializer_context(), "featured_ids": featured_ids}
        )
        return self.get_paginated_response(serializer.data)
