"""Catalog factories. Listings are created through the sellers' door (`seller_listing_create`: the probation
cap, then `catalog.services.listing_create`, the one place listings are born)."""

from __future__ import annotations

from typing import Any

import factory

from catalog.models import Brand, Category, Grade, Listing, Product, Variant
from catalog.services.products import product_search_document
from marketplace.actors import Actor
from marketplace.models import Market
from sellers.services.listings import seller_listing_create
from tests.factories.sellers import SellerFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "smartphones"
    name = "Smartphones"


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    slug = "apple"
    name = "Apple"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    brand = factory.SubFactory(BrandFactory)
    series = "iPhone 13"
    name = factory.Sequence(lambda n: f"iPhone 13 model {n}")
    slug = factory.Sequence(lambda n: f"iphone-13-model-{n}")
    release_year = 2021
    specs = factory.LazyFunction(lambda: {"display": "6.1 in OLED", "chip": "A15 Bionic"})
    launch_prices = factory.LazyFunction(lambda: {"EUR": 90900, "GBP": 77900, "USD": 79900, "JPY": 98800})

    @factory.post_generation
    def index(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.search_document = product_search_document(self)
        if create:
            Product.objects.filter(pk=self.pk).update(search_document=self.search_document)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    storage_gb = 128
    colour = factory.Sequence(lambda n: f"Colour {n}")


def grade(code: str = "excellent") -> Grade:
    return Grade.objects.get(code=code)


def market(code: str = "fr") -> Market:
    return Market.objects.get(code=code)


def make_listing(**overrides: Any) -> Listing:
    """A listing through `seller_listing_create` with sensible defaults; any argument may be overridden."""
    seller = overrides.pop("seller", None) or SellerFactory().organisation
    variant = overrides.pop("variant", None) or VariantFactory()
    the_grade = overrides.pop("grade", None) or grade("excellent")
    if isinstance(the_grade, str):
        the_grade = grade(the_grade)
    the_market = overrides.pop("market", None) or market("fr")
    if isinstance(the_market, str):
        the_market = market(the_market)
    arguments: dict[str, Any] = {
        "price_amount": 49900,
        "stock": 3,
        "sku": f"SKU-{Listing.objects.count() + 1}-{variant.pk}-{the_grade.code}",
        "battery_health": max(the_grade.battery_floor, 90),
        "warranty_months": 12,
    }
    arguments.update(overrides)
    return seller_listing_create(
        seller=seller, actor=Actor.system("tests"), variant=variant, grade=the_grade, market=the_market, **arguments
    )
