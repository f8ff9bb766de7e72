"""Pictures in templates: a product's photo as <picture> (AVIF and WebP renditions with srcset), or the
drawing of its category in the variant's colour; the photos of a seller's unit on an offer."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.files.storage import default_storage
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from catalog.illustrations import device_svg, kind_of

register = template.Library()


def _srcset(renditions: dict[str, Any], extension: str) -> str:
    sizes = (renditions or {}).get(extension) or {}
    return ", ".join(
        f"{default_storage.url(name)} {width}w" for width, name in sorted(sizes.items(), key=lambda item: int(item[0]))
    )


def picture_html(
    renditions: dict[str, Any] | None,
    *,
    alt: str,
    width: int,
    height: int,
    sizes: str,
    css_class: str,
    eager: bool = False,
) -> SafeString:
    """<picture> with an AVIF and a WebP source at every width, the WebP of about 640 px as the fallback."""
    webp = (renditions or {}).get("webp") or {}
    if not webp:
        return mark_safe("")
    widths = sorted(webp, key=int)
    fallback = next((w for w in widths if int(w) >= 640), widths[-1])
    sources = "".join(
        f'<source type="image/{extension}" srcset="{escape(_srcset(renditions or {}, extension))}" '
        f'sizes="{escape(sizes)}">'
        for extension in ("avif", "webp")
        if (renditions or {}).get(extension)
    )
    loading = 'fetchpriority="high"' if eager else 'loading="lazy" decoding="async"'
    img = format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" {}>',
        default_storage.url(webp[fallback]),
        alt,
        width or int(fallback),
        height or int(fallback),
        mark_safe(loading),  # noqa: S308 - fixed attributes
    )
    return mark_safe(f'<picture class="{escape(css_class)}">{sources}{img}</picture>')  # noqa: S308 - escaped parts


@register.simple_tag
def product_picture(
    product: Any,
    variant: Any = None,
    images: Any = None,
    *,
    sizes: str = "(max-width: 600px) 45vw, 220px",
    css_class: str = "product-thumb",
    eager: bool = False,
    decorative: bool = False,
) -> SafeString:
    """A product's picture. `images`: its photos (the product page passes them, the selected variant's
    first); otherwise the photo annotated on the product (`catalog.selectors.pictures.with_picture`).
    Without a photo: the category's drawing in the variant's (or the first variant's) colour."""
    photo = None
    if images:
        chosen = [i for i in images if variant is not None and i.variant_id == variant.pk]
        photo = (chosen or [i for i in images if i.variant_id is None] or list(images))[0]
    if photo is not None:
        return picture_html(
            photo.renditions,
            alt="" if decorative else photo.alt_text,
            width=photo.width,
            height=photo.height,
            sizes=sizes,
            css_class=css_class,
            eager=eager,
        )
    renditions = getattr(product, "picture_renditions", None)
    if renditions and not images:
        return picture_html(
            renditions,
            alt="" if decorative else (getattr(product, "picture_alt", "") or product.name),
            width=getattr(product, "picture_width", 0) or 0,
            height=getattr(product, "picture_height", 0) or 0,
            sizes=sizes,
            css_class=css_class,
            eager=eager,
        )
    colour = getattr(variant, "colour", "") if variant is not None else getattr(product, "picture_colour", "") or ""
    label = "" if decorative else gettext("Illustration of %(name)s") % {"name": product.name}
    drawing = device_svg(kind_of(product.category.slug), colour, label=label)
    return format_html('<span class="{} drawn">{}</span>', css_class, drawing)


@register.simple_tag
def listing_photo(photo: Any, *, seller: str = "", sizes: str = "160px") -> SafeString:
    """A photo of the unit an offer sells (the seller's own)."""
    alt = (
        gettext("Photo of the unit offered by %(seller)s") % {"seller": seller}
        if seller
        else gettext("Photo of the unit")
    )
    return picture_html(
        photo.renditions, alt=alt, width=photo.width, height=photo.height, sizes=sizes, css_class="unit-photo"
    )


@register.simple_tag
def category_drawing(category: Any, *, css_class: str = "category-drawing") -> SafeString:
    """A category's small drawing (decorative: the category's name is beside it)."""
    return device_svg(kind_of(category.slug), "", css_class=css_class)
