"""Demo catalog: 181 real product models with their variants, and listings from the demo sellers in every market.

`scale == "demo"`: listings go through `catalog.services.listing_create` (the one door), skipping SKUs
that exist, so a second run changes nothing. `scale == "bench"` adds the benchmark shape with bulk
inserts: 2,000 product models x 10 variants and 100,000 listings from the 200 bench sellers.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from catalog import seed_data as data
from catalog.models import (
    Brand,
    Category,
    Connectivity,
    Grade,
    Listing,
    Product,
    ProductImage,
    SellerStanding,
    Variant,
)
from catalog.services.images import product_image_add
from catalog.services.listings import listing_create
from catalog.services.products import listings_bulk_load, product_search_document
from catalog.versioning import catalog_changed
from marketplace.actors import Actor
from marketplace.models import Market, Organisation, OrganisationKind

Log = Callable[[str], None]
DEMO_SELLERS = ("renew-labs", "phoenix-refurb")
# Launch prices are EUR; other markets' "new" prices use this fixed conversion (labelled as the price new).
CURRENCY_FACTORS = {"EUR": 1.0, "GBP": 0.87, "USD": 1.0, "JPY": 150.0}
GRADE_FACTORS = {"premium": 1.0, "excellent": 0.9, "good": 0.82, "fair": 0.74}
CURRENT_YEAR = 2025
ALIASES = {"iphone": ("apple",), "galaxy": ("samsung",), "playstation": ("ps5", "ps4", "sony"), "xbox": ("microsoft",)}


def _round_price(amount: float, currency: str) -> int:
    """A shop-like price ending in 9 (whole units), in minor units."""
    if currency == "JPY":
        return max(100, round(amount / 100.0) * 100 - 20)
    whole = max(9, int(amount) // 10 * 10 + 9)
    return whole * 100


def _launch_prices(euros: int) -> dict[str, int]:
    return {currency: _round_price(euros * factor, currency) for currency, factor in CURRENCY_FACTORS.items()}


def _variants_for(category: str, row: tuple) -> list[dict]:
    if category == "smartwatches":
        _brand, _series, _name, _year, sizes, colours, _price, _specs, connectivity = row
        return [
            {"attributes": {"size": size}, "colour": colour, "connectivity": link, "storage_gb": None}
            for size in sizes
            for link in connectivity
            for colour in colours[:2]
        ]
    if category == "audio":
        colours = row[4]
        return [{"colour": colour, "storage_gb": None} for colour in colours]
    storages, colours = row[4], row[5]
    if category == "laptops":
        rams = row[8]
        return [
            {"storage_gb": storage, "ram_gb": ram, "colour": colour}
            for ram in rams
            for storage in storages
            for colour in colours[:2]
        ]
    connectivity = [Connectivity.WIFI, Connectivity.CELLULAR] if category == "tablets" else [""]
    if category == "tablets" and row[0] == "Microsoft":
        connectivity = [Connectivity.WIFI]
    return [
        {"storage_gb": storage, "colour": colour, "connectivity": link}
        for storage in storages
        for link in connectivity
        for colour in colours[:3]
    ]


def _catalog_rows() -> list[tuple[str, tuple, tuple]]:
    rows: list[tuple[str, tuple, tuple]] = []
    rows += [("smartphones", row, data.P) for row in data.SMARTPHONES]
    rows += [("tablets", row, data.T) for row in data.TABLETS]
    rows += [("laptops", row, data.L) for row in data.LAPTOPS]
    rows += [("consoles", row, data.C) for row in data.CONSOLES]
    rows += [("smartwatches", row, data.W) for row in data.SMARTWATCHES]
    rows += [("audio", row, data.A) for row in data.AUDIO]
    return rows


@transaction.atomic
def _seed_products(log: Log) -> list[Product]:
    categories = {c.slug: c for c in Category.objects.all()}
    brands: dict[str, Brand] = {}
    products = []
    for category_slug, row, spec_keys in _catalog_rows():
        if category_slug == "audio":
            brand_name, series, name, year, _colours, euros, specs = row
        else:
            brand_name, series, name, year, _storages, _colours, euros, specs = row[:8]
        brand = brands.get(brand_name)
        if brand is None:
            brand, _ = Brand.objects.get_or_create(slug=slugify(brand_name), defaults={"name": brand_name})
            brands[brand_name] = brand
        product, _ = Product.objects.update_or_create(
            slug=slugify(name.replace("+", " plus")),
            defaults={
                "category": categories[category_slug],
                "brand": brand,
                "series": series,
                "name": name,
                "release_year": year,
                "specs": dict(zip(spec_keys, specs, strict=True)),
                "launch_prices": _launch_prices(euros),
            },
        )
        aliases = tuple(alias for word, words in ALIASES.items() if word in name.lower() for alias in words)
        product.search_document = product_search_document(product, aliases=aliases)
        product.save(update_fields=["search_document"])
        for position, variant in enumerate(_variants_for(category_slug, row)):
            keys = {k: variant.get(k) for k in ("storage_gb", "ram_gb")}
            Variant.objects.get_or_create(
                product=product,
                colour=variant.get("colour", ""),
                connectivity=variant.get("connectivity", ""),
                **keys,
                defaults={"attributes": variant.get("attributes", {}), "position": position},
            )
        products.append(product)
    catalog_changed()
    log(f"catalog: {len(products)} product models, {Variant.objects.count()} variants")
    return products


def _price(product: Product, variant: Variant, grade: str, currency: str, seller_index: int) -> int:
    euros = product.launch_prices.get("EUR", 50000) / 100
    age = max(0, CURRENT_YEAR - product.release_year)
    age_factor = max(0.3, 0.78 - 0.09 * age)
    storage_factor = 1.0
    if variant.storage_gb:
        storage_factor += min(0.35, (variant.position // 3) * 0.08)
    seller_factor = 1.0 + (0.03 if seller_index else -0.01)
    amount = euros * age_factor * GRADE_FACTORS[grade] * storage_factor * seller_factor * CURRENCY_FACTORS[currency]
    return _round_price(amount, currency)


def _seed_demo_listings(products: list[Product], log: Log) -> None:
    sellers = list(Organisation.objects.filter(slug__in=DEMO_SELLERS, kind=OrganisationKind.SELLER).order_by("slug"))
    if not sellers:
        log("catalog: no demo sellers, no listings")
        return
    sellers.sort(key=lambda s: DEMO_SELLERS.index(s.slug))
    grades = {g.code: g for g in Grade.objects.all()}
    markets = list(Market.objects.filter(is_active=True))
    existing = set(Listing.objects.filter(seller__in=sellers).values_list("seller_id", "sku", "market_id"))
    actor = Actor.system("seed")
    plans = [
        # seller index, variant positions, grades
        (0, (0, 1), ("excellent", "good")),
        (1, (0, 2), ("good", "fair")),
    ]
    created = 0
    started = time.perf_counter()
    # Every listing still goes through listing_create (rules, audit); one transaction with the
    # offer-summary triggers set aside and one rebuild at the end keeps a first `make run` short.
    with transaction.atomic(), listings_bulk_load():
        created = _create_demo_listings(products, sellers, grades, markets, existing, plans, actor)
    log(f"catalog: {created} demo listings created in {time.perf_counter() - started:.1f}s")


def _create_demo_listings(products, sellers, grades, markets, existing, plans, actor) -> int:
    created = 0
    for product in products:
        variants = list(product.variants.all())
        for seller_index, positions, grade_codes in plans:
            if seller_index >= len(sellers):
                continue
            seller = sellers[seller_index]
            wanted = list(grade_codes)
            if seller_index == 0 and product.release_year >= 2022:
                wanted.append("premium")
            for position in positions:
                if position >= len(variants):
                    continue
                variant = variants[position]
                for code in wanted:
                    for market in markets:
                        sku = f"{seller.slug[:3].upper()}-{product.pk}-{variant.pk}-{code[:2].upper()}"
                        if (seller.pk, sku, market.code) in existing:
                            continue
                        floor = grades[code].battery_floor
                        listing_create(
                            seller=seller,
                            actor=actor,
                            variant=variant,
                            grade=grades[code],
                            market=market,
                            price_amount=_price(product, variant, code, market.currency, seller_index),
                            stock=1 + (product.pk + variant.pk + seller_index) % 5,
                            sku=sku,
                            battery_health=min(100, floor + (product.pk + variant.pk) % (101 - floor)),
                            warranty_months=24 if seller_index == 0 else 12,
                        )
                        created += 1
    return created


# --- bench shape -------------------------------------------------------------------------
BENCH_PRODUCTS = 2000
BENCH_VARIANTS = 10
BENCH_LISTINGS = 100_000
BENCH_COLOURS = ["Black", "White", "Blue", "Green", "Red"]
BENCH_STORAGES = [64, 128, 256, 512, 1024]


def _seed_bench(log: Log) -> None:
    started = time.perf_counter()
    if Product.objects.filter(slug__startswith="bench-").count() >= BENCH_PRODUCTS:
        log("bench catalog: already there")
        return
    rng = random.Random(2024)  # noqa: S311 - deterministic demo data
    categories = list(Category.objects.filter(parent=None))
    brands = [
        Brand.objects.get_or_create(slug=f"bench-brand-{n:02d}", defaults={"name": f"Benchbrand {n:02d}"})[0]
        for n in range(1, 21)
    ]
    now = timezone.now()
    products = []
    for n in range(1, BENCH_PRODUCTS + 1):
        category = categories[n % len(categories)]
        brand = brands[n % len(brands)]
        series = f"{brand.name} {category.name[:-1]} {n % 50:02d}"
        name = f"{series} Model {n:04d}"
        product = Product(
            category=category,
            brand=brand,
            series=series,
            name=name,
            slug=f"bench-{n:04d}",
            release_year=2016 + n % 9,
            specs={"display": f"{5 + n % 3}.{n % 10} in", "chip": f"Bench chip {n % 7}"},
            launch_prices=_launch_prices(300 + n % 900),
            created_at=now,
        )
        product.search_document = " ".join(
            dict.fromkeys(f"{brand.name} {series} {name} {category.name}".lower().split())
        )
        products.append(product)
    Product.objects.bulk_create(products, batch_size=1000, ignore_conflicts=True)
    products = list(Product.objects.filter(slug__startswith="bench-").order_by("pk"))
    variants = [
        Variant(
            product=product,
            storage_gb=BENCH_STORAGES[v % 5],
            colour=BENCH_COLOURS[(v // 5 + product.pk) % 5],
            position=v,
        )
        for product in products
        for v in range(BENCH_VARIANTS)
    ]
    Variant.objects.bulk_create(variants, batch_size=5000, ignore_conflicts=True)
    variant_rows = list(
        Variant.objects.filter(product__slug__startswith="bench-").values_list("pk", "product_id", "position")
    )
    prices = {p.pk: p.launch_prices for p in products}
    sellers = list(Organisation.objects.filter(slug__startswith="bench-seller-").order_by("slug"))
    if not sellers:
        log("bench catalog: no bench sellers (the kernel seed makes them); no listings")
        return
    grades = list(Grade.objects.all())
    markets = list(Market.objects.filter(is_active=True))
    listings = []
    for n in range(BENCH_LISTINGS):
        variant_id, product_id, _position = variant_rows[rng.randrange(len(variant_rows))]
        grade = grades[rng.randrange(len(grades))]
        market = markets[n % len(markets)]
        seller = sellers[n % len(sellers)]
        base = prices[product_id][market.currency] * GRADE_FACTORS[grade.code] * (0.45 + rng.random() * 0.25)
        listings.append(
            Listing(
                seller=seller,
                variant_id=variant_id,
                grade=grade,
                market=market,
                price_amount=max(100, int(base) // 100 * 100 + (0 if market.currency == "JPY" else 99)),
                currency=market.currency,
                stock=rng.choice([0, 1, 1, 2, 3, 5]),
                sku=f"BENCH-{n:06d}",
                battery_health=rng.randint(grade.battery_floor, 100),
                battery_floor=grade.battery_floor,
                warranty_months=rng.choice([12, 12, 18, 24]),
                status="active" if n % 20 else "paused",
                created_at=now - timedelta(minutes=n),
                updated_at=now,
            )
        )
    with listings_bulk_load():  # the offer summary is filled once, set-based, at the end
        Listing.objects.bulk_create(listings, batch_size=5000, ignore_conflicts=True)
    log(
        f"bench catalog: {len(products)} product models, {len(variant_rows)} variants, "
        f"{len(listings)} listings in {time.perf_counter() - started:.1f}s"
    )


def seed(*, scale: str, log: Log) -> None:
    products = _seed_products(log)
    with transaction.atomic():
        _seed_demo_listings(products, log)
    _seed_pictures(log)
    if scale == "bench":
        with transaction.atomic():
            _seed_bench(log)


# --- pictures: a couple of uploaded photos made by Pillow at seed time (the other products show the
# drawing of their category in their colour, which needs no data); one seller ships the same day.
DEMO_PHOTOS = {
    "iphone-13": ("#232a36", "iPhone 13 in Midnight, front and back"),
    "macbook-air-13-inch-m1-2020": ("#c9ccd1", "MacBook Air (M1, 2020) in Silver, open"),
}


def _demo_photo(colour: str, kind: str) -> io.BytesIO:
    """A studio-like picture: a soft background and the device's silhouette in its colour (Pillow)."""
    image = Image.new("RGB", (1200, 900), "#eef0f3")
    draw = ImageDraw.Draw(image)
    for y in range(900):  # a soft vertical gradient
        shade = 238 - y // 30
        draw.line([(0, y), (1200, y)], fill=(shade, shade + 2, shade + 5))
    if kind == "laptop":
        draw.rounded_rectangle((300, 220, 900, 600), 24, fill=colour, outline="#1f2328", width=6)
        draw.rounded_rectangle((330, 250, 870, 570), 10, fill="#20242b")
        draw.polygon([(220, 620), (980, 620), (930, 680), (270, 680)], fill=colour, outline="#1f2328")
    else:
        for left in (380, 640):
            draw.rounded_rectangle((left, 150, left + 200, 750), 40, fill=colour, outline="#1f2328", width=6)
        draw.rounded_rectangle((395, 170, 565, 730), 24, fill="#20242b")
        draw.rounded_rectangle((665, 180, 745, 300), 24, fill="#3a3f47")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    buffer.seek(0)
    buffer.name = "demo.jpg"  # type: ignore[attr-defined]
    return buffer


def _seed_pictures(log: Log) -> None:
    actor = Actor.system("demo data")
    added = 0
    for slug, (colour, alt) in DEMO_PHOTOS.items():
        product = Product.objects.filter(slug=slug).select_related("category").first()
        if product is None or ProductImage.objects.filter(product=product).exists():
            continue
        kind = "laptop" if product.category.slug == "laptops" else "phone"
        product_image_add(product=product, upload=_demo_photo(colour, kind), alt_text=alt, actor=actor)
        added += 1
    fast = Organisation.objects.filter(slug__in=DEMO_SELLERS, kind=OrganisationKind.SELLER).order_by("slug").first()
    if fast is not None:
        SellerStanding.objects.filter(organisation=fast).update(handling_days=0)
    log(f"catalog: {added} demo product photos (the others are drawn), one seller ships the same day")
