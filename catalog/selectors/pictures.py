"""What a product's picture is, read with the product: the first photo's renditions and alt text and the
first variant's colour, as annotations of the query that loads the products (no query more per page)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.db.models import F, Model, OuterRef, QuerySet, Subquery

from catalog.models import Product, ProductImage, Variant

M = TypeVar("M", bound=Model)
PICTURE_FIELDS = ("picture_renditions", "picture_alt", "picture_width", "picture_height", "picture_colour")


def with_picture(queryset: QuerySet[M], *, product: str = "pk") -> QuerySet[M]:
    """`queryset` annotated with its product's picture (`product`: the path to the product's id)."""
    # A photo of the model in any colour first, else one of a variant's.
    any_image = ProductImage.objects.filter(product_id=OuterRef(product)).order_by(
        F("variant_id").asc(nulls_first=True), "position", "id"
    )
    first_variant = Variant.objects.filter(product_id=OuterRef(product)).order_by("position", "id")
    annotated = queryset.annotate(
        picture_renditions=Subquery(any_image.values("renditions")[:1]),
        picture_alt=Subquery(any_image.values("alt_text")[:1]),
        picture_width=Subquery(any_image.values("width")[:1]),
        picture_height=Subquery(any_image.values("height")[:1]),
        picture_colour=Subquery(first_variant.values("colour")[:1]),
    )
    return cast("QuerySet[M]", annotated)  # the same rows, with the annotations


def copy_picture(source: Any, product: Product) -> Product:
    """Put the picture annotations of `source` (e.g. an offer summary) onto its product."""
    for name in PICTURE_FIELDS:
        setattr(product, name, getattr(source, name, None))
    return product
