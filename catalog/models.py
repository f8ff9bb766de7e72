"""Catalog: category -> product model -> variant -> listing, and the grade table.

The database refuses what DOMAIN.md forbids: a listing whose battery health is
below its grade's floor (a denormalised `battery_floor` tied to the grade by a
composite foreign key, see migration 0002), a warranty under 12 months, negative
stock, a non-positive price, a currency other than the market's (composite
foreign key to the market's (code, currency)), a second listing with the same
seller + SKU + market.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.i18n import colour_display
from catalog.states import ListingStatus
from marketplace.models import Market, Organisation, OrganisationKind
from marketplace.money import Money

MINIMUM_WARRANTY_MONTHS = 12


class Category(models.Model):
    """A node of the category tree, with its cited CO2e-avoided figure (refurbished vs new)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("English; translated through the catalogs"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    icon = models.CharField(_("icon"), max_length=8, blank=True)
    # The impact figures (catalog/impact.py states the convention): per device, refurbished (or reused)
    # instead of new. CO2e counts one year of use; e-waste is the device's mass kept out of the waste.
    co2e_avoided_grams = models.PositiveIntegerField(
        _("CO2e avoided per device (g, one year of use)"),
        default=0,
        help_text=_("Refurbished vs new, per device, counting one year of use"),
    )
    ewaste_avoided_grams = models.PositiveIntegerField(
        _("e-waste avoided per device (g)"), default=0, help_text=_("The mass of a typical device kept out of waste")
    )
    co2e_source = models.CharField(
        _("source of the CO2e figure"),
        max_length=300,
        blank=True,
        help_text=_("A document (title, publisher, year), or “Estimate:” and its method"),
    )
    co2e_source_url = models.URLField(_("source URL"), blank=True)
    ewaste_source = models.CharField(
        _("source of the e-waste figure"),
        max_length=300,
        blank=True,
        help_text=_("A document (title, publisher, year), or “Estimate:” and its method"),
    )

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return gettext(self.name)

    @property
    def co2e_avoided_kg(self) -> int:
        return round(self.co2e_avoided_grams / 1000)


class Brand(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ("name",)
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product model (brand, name, release year, specs as structured data)."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    series = models.CharField(_("series"), max_length=100, help_text=_("e.g. iPhone 13, Galaxy S23, MacBook Air"))
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    release_year = models.PositiveSmallIntegerField(_("release year"))
    specs = models.JSONField(_("specs"), default=dict, blank=True, help_text=_('{"display": "6.1 in OLED", ...}'))
    image = models.CharField(_("image"), max_length=300, blank=True, help_text=_("static path or URL"))
    launch_prices = models.JSONField(
        _("price new at launch"),
        default=dict,
        blank=True,
        help_text=_('Minor units per currency, e.g. {"EUR": 90900}; shown as the new price'),
    )
    # Lower-case, accent-free words (brand, series, name, category, aliases): the search document.
    search_document = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ("name",)
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        indexes: ClassVar = [
            GinIndex(SearchVector("search_document", config="simple"), name="product_search_fts"),
            GinIndex(OpClass("search_document", name="gin_trgm_ops"), name="product_search_trgm"),
            models.Index(fields=("category", "release_year"), name="product_category_year"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(release_year__gte=1990) & Q(release_year__lte=2100), name="product_release_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def launch_price(self, currency: str) -> Money | None:
        amount = (self.launch_prices or {}).get(currency)
        return Money(int(amount), currency) if amount is not None else None


class Connectivity(models.TextChoices):
    NONE = "", _("Not applicable")
    WIFI = "wifi", _("Wi-Fi")
    CELLULAR = "cellular", _("Wi-Fi + Cellular")
    GPS = "gps", _("GPS")
    GPS_CELLULAR = "gps_cellular", _("GPS + Cellular")
    FIVE_G = "5g", _("5G")
    FOUR_G = "4g", _("4G")


class Variant(models.Model):
    """One buyable configuration of a product model: storage, colour, connectivity, RAM, ..."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    storage_gb = models.PositiveIntegerField(_("storage (GB)"), null=True, blank=True)
    ram_gb = models.PositiveSmallIntegerField(_("memory (GB)"), null=True, blank=True)
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    connectivity = models.CharField(
        _("connectivity"), max_length=16, choices=Connectivity.choices, blank=True, default=""
    )
    attributes = models.JSONField(
        _("other attributes"), default=dict, blank=True, help_text=_('e.g. {"size": "41 mm"}')
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("product", "position", "id")
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("product", "storage_gb", "ram_gb", "colour", "connectivity"),
                name="variant_unique_configuration",
                nulls_distinct=False,
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("storage_gb",), name="variant_storage")]

    def __str__(self) -> str:
        return f"{self.product.name} {self.label}"

    @property
    def storage_label(self) -> str:
        if self.storage_gb is None:
            return ""
        if self.storage_gb >= 1024 and self.storage_gb % 1024 == 0:
            return f"{self.storage_gb // 1024} TB"
        return f"{self.storage_gb} GB"

    @property
    def label(self) -> str:
        parts = [self.storage_label]
        if self.ram_gb:
            parts.append(gettext("%(ram)s GB RAM") % {"ram": self.ram_gb})
        parts.extend(str(value) for value in (self.attributes or {}).values())
        if self.connectivity:
            parts.append(str(self.get_connectivity_display()))
        parts.append(self.display_colour)
        return " · ".join(part for part in parts if part)

    @property
    def display_colour(self) -> str:
        """The colour's name in the active language (catalog/i18n.py)."""
        return colour_display(self.colour)


class Grade(models.Model):
    """The grade table (DOMAIN.md): cosmetic criteria and battery floor are data, not template text."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 = best"))
    battery_floor = models.PositiveSmallIntegerField(_("minimum battery health (%)"))
    criteria = models.TextField(_("cosmetic criteria"))

    class Meta:
        ordering = ("rank",)
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints: ClassVar = [
            # Referenced by the listing's composite foreign key (grade, battery_floor).
            models.UniqueConstraint(fields=("code", "battery_floor"), name="grade_code_battery_floor_unique"),
            models.CheckConstraint(condition=Q(battery_floor__lte=100), name="grade_battery_floor_le_100"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return gettext(self.name)

    @property
    def display_criteria(self) -> str:
        return gettext(self.criteria)


class ListingQuerySet(models.QuerySet["Listing"]):
    def visible(self) -> ListingQuerySet:
        """What the storefront shows: active listings with stock."""
        return self.filter(status=ListingStatus.ACTIVE, stock__gt=0)


class Listing(models.Model):
    """A seller's offer of one variant, in one grade, in one market. Prices are all-in (VAT included)."""

    seller = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="listings",
        limit_choices_to={"kind": OrganisationKind.SELLER},
        verbose_name=_("seller"),
    )
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="listings", verbose_name=_("variant"))
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="listings", verbose_name=_("grade"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="listings", verbose_name=_("market"))
    price_amount = models.BigIntegerField(_("price (minor units, all-in)"))
    currency = models.CharField(_("currency"), max_length=3)
    stock = models.PositiveIntegerField(_("stock"), default=1)
    sku = models.CharField(_("SKU"), max_length=64)
    battery_health = models.PositiveSmallIntegerField(_("battery health (%)"))
    # Copy of the grade's floor; the composite FK (grade, battery_floor) keeps it equal to the grade table.
    battery_floor = models.PositiveSmallIntegerField(_("battery floor of the grade (%)"), editable=False)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=MINIMUM_WARRANTY_MONTHS)
    status = models.CharField(_("status"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("seller", "sku", "market"), name="listing_seller_sku_market_unique"),
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="listing_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="listing_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(warranty_months__gte=MINIMUM_WARRANTY_MONTHS), name="listing_warranty_at_least_12_months"
            ),
            models.CheckConstraint(condition=Q(battery_health__lte=100), name="listing_battery_health_le_100"),
            models.CheckConstraint(
                condition=Q(battery_health__gte=models.F("battery_floor")), name="listing_battery_at_least_grade_floor"
            ),
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="listing_currency_iso"),
            models.CheckConstraint(condition=~Q(sku=""), name="listing_sku_not_empty"),
        ]
        indexes: ClassVar = [
            # The storefront's hot path: visible offers of a market, by variant, cheapest first.
            models.Index(
                fields=("market", "variant", "grade", "price_amount"),
                name="listing_visible_by_variant",
                condition=Q(status=ListingStatus.ACTIVE, stock__gt=0),
            ),
            models.Index(fields=("seller", "status"), name="listing_seller_status"),
            models.Index(Upper("sku"), name="listing_sku_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} ({self.market_id}, {self.grade_id})"

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)

    @property
    def is_visible(self) -> bool:
        return self.status == ListingStatus.ACTIVE and self.stock > 0


class OfferSummary(models.Model):
    """Per product model and market: the lowest visible price and the number of visible offers (all grades),
    the lowest visible price per grade, the highest visible price, and the storage sizes and colours of the
    visible offers. A row exists only while the product has a visible offer there.

    Derived data, written by PostgreSQL only: statement triggers on `catalog_listing` (migration 0004)
    recompute the affected (product, market) rows after every INSERT, UPDATE and DELETE, whatever the
    path (services, set-based `bulk_transition`, the checkout's conditional stock UPDATE, raw SQL), so it
    is exact at every commit. Never write it from Python; `offer_summary_rebuild()` recomputes it all.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="offer_summaries")
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    from_price_amount = models.BigIntegerField()
    offers = models.PositiveIntegerField()
    # {"good": 12900, "fair": 10900}: the lowest visible price per grade code (only grades with an offer).
    grade_prices = models.JSONField(default=dict)
    # The rest of what a category or search page counts and shows without a listing-level filter
    # (`catalog.selectors.browse`): the highest visible price, and the storage sizes and colours offered.
    high_price_amount = models.BigIntegerField(default=0)
    storages = ArrayField(models.PositiveIntegerField(), default=list)
    colours = ArrayField(models.CharField(max_length=60), default=list)

    class Meta:
        verbose_name = _("offer summary")
        verbose_name_plural = _("offer summaries")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("product", "market"), name="offer_summary_product_market_unique"),
        ]
        indexes: ClassVar = [
            # The API's price ordering within a market.
            models.Index(fields=("market", "from_price_amount", "product"), name="offer_summary_market_price"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.market_id}: {self.offers} offers from {self.from_price_amount}"


class SellerStanding(models.Model):
    """What the catalog needs to know about a seller, kept current by the sellers app through
    `catalog.services.seller_standing_set` (the catalog never imports the apps above it).

    `may_sell`: the seller may create, publish and resume listings (probation or active).
    `score`: its quality score 0-100 for the buy box; null while it has none (neutral, 50).
    A seller organisation without a row may not sell.
    """

    organisation = models.OneToOneField(
        Organisation,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="catalog_standing",
        limit_choices_to={"kind": OrganisationKind.SELLER},
        verbose_name=_("seller"),
    )
    may_sell = models.BooleanField(_("may sell"), default=False)
    score = models.PositiveSmallIntegerField(_("quality score"), null=True, blank=True)
    # The seller's rating from its buyers' visible reviews (1-5 stars each), kept current by warranty
    # through `catalog.services.ratings`; and the units it has delivered (its sales).
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_sum = models.PositiveBigIntegerField(_("sum of the stars"), default=0)
    units_delivered = models.PositiveIntegerField(_("units delivered"), default=0)
    # Business days the seller takes to hand a paid order to the carrier: the delivery estimate on its
    # offers starts there (`catalog.delivery`). 1 is the ship-by rule every seller keeps (DOMAIN.md);
    # 0 for a seller that ships the same business day. Set by platform staff (admin).
    handling_days = models.PositiveSmallIntegerField(
        _("handling time (business days)"),
        default=1,
        db_default=1,  # rows upserted in SQL (ratings, standings in bulk) get it too
        help_text=_("0: ships the same business day; 1: the next business day (the ship-by rule)"),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("seller standing")
        verbose_name_plural = _("seller standings")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="seller_standing_score_0_100"
            ),
            models.CheckConstraint(condition=Q(handling_days__lte=1), name="seller_standing_handling_within_ship_by"),
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count")) & Q(rating_sum__lte=F("rating_count") * 5),
                name="seller_standing_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {'selling' if self.may_sell else 'not selling'}"

    @property
    def rating_average(self) -> float | None:
        """The mean of the stars (1-5), None without ratings. For display (one decimal); sorting uses
        the Bayesian score."""
        return self.rating_sum / self.rating_count if self.rating_count else None


class ProductRating(models.Model):
    """A product model's rating from its units' reviews (the unit stars, 1-5), kept current by warranty
    through `catalog.services.ratings`. `score_milli` is the Bayesian average x 1000 that "Best rated"
    sorts by (`catalog.services.ratings.bayesian_average`); a product without a row sorts at the prior."""

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="rating", verbose_name=_("product")
    )
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_sum = models.PositiveBigIntegerField(_("sum of the stars"), default=0)
    score_milli = models.PositiveIntegerField(_("Bayesian score (x 1000)"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("product rating")
        verbose_name_plural = _("product ratings")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count")) & Q(rating_sum__lte=F("rating_count") * 5),
                name="product_rating_1_to_5",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("-score_milli",), name="product_rating_score")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.rating_count} ratings"

    @property
    def rating_average(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


# --- pictures ---------------------------------------------------------------------------------------
# Files go through Django's storage API (`default_storage`: local media, or an S3-compatible bucket
# through django-storages when configured, see settings). Each picture keeps its original and
# `renditions`: {"webp": {"320": name, ...}, "avif": {...}}, made by `catalog.services.images` at a few
# widths for `srcset`. A product without a photo shows the drawing of its category in the variant's
# colour (`catalog.illustrations`).
class ProductImage(models.Model):
    """A product model's photo, uploaded by platform staff (admin), optionally of one variant (colour)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product"))
    variant = models.ForeignKey(
        Variant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("variant"),
        help_text=_("Leave empty for a photo of the model in any colour"),
    )
    image = models.FileField(_("photo"), upload_to="products/%Y/%m/", max_length=300)
    alt_text = models.CharField(
        _("alternative text"), max_length=200, help_text=_("What the photo shows, for people who cannot see it")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    width = models.PositiveIntegerField(_("width (px)"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height (px)"), default=0, editable=False)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        indexes: ClassVar = [models.Index(fields=("product", "position"), name="product_image_order")]

    def __str__(self) -> str:
        return self.alt_text


class ListingPhoto(models.Model):
    """A photo of the actual unit a seller offers, shown on the offer (checked by content, size-limited)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos", verbose_name=_("listing"))
    image = models.FileField(_("photo"), upload_to="listings/%Y/%m/", max_length=300)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("photo of the unit")
        verbose_name_plural = _("photos of the unit")

    def __str__(self) -> str:
        return f"photo {self.pk} of listing {self.listing_id}"
