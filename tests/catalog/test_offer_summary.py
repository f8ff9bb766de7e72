"""The offer summary stays exact whatever path changes a listing: services, set-based UPDATEs, raw SQL, races.

`expected()` recomputes the summary from the listings in Python; every test compares it with the rows
the triggers of migrations 0004 and 0010 maintain.
"""

import threading
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.db.models import F

from catalog.models import Listing, OfferSummary, Variant
from catalog.services.listings import (
    listing_deactivate,
    listing_pause,
    listing_resume,
    listing_update,
    listings_pause_by_platform,
)
from catalog.services.products import listings_bulk_load
from catalog.states import TRANSITIONS, ListingStatus
from marketplace.actors import Actor
from marketplace.transitions import bulk_transition
from sellers.services.lifecycle import seller_reinstate, seller_suspend, seller_terminate
from tests.factories.catalog import ProductFactory, VariantFactory, grade, make_listing, market
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def expected() -> dict[tuple[int, str], dict]:
    rows: dict[tuple[int, str], dict] = {}
    grade_prices: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for listing in Listing.objects.visible().select_related("variant"):
        key = (listing.variant.product_id, listing.market_id)
        row = rows.setdefault(
            key,
            {
                "currency": listing.currency,
                "from_price_amount": listing.price_amount,
                "offers": 0,
                "high_price_amount": listing.price_amount,
                "storages": set(),
                "colours": set(),
            },
        )
        row["from_price_amount"] = min(row["from_price_amount"], listing.price_amount)
        row["high_price_amount"] = max(row["high_price_amount"], listing.price_amount)
        row["offers"] += 1
        if listing.variant.storage_gb is not None:
            row["storages"].add(listing.variant.storage_gb)
        if listing.variant.colour:
            row["colours"].add(listing.variant.colour)
        prices = grade_prices[key]
        prices[listing.grade_id] = min(prices.get(listing.grade_id, listing.price_amount), listing.price_amount)
    for key, row in rows.items():
        row["grade_prices"] = grade_prices[key]
        row["storages"] = sorted(row["storages"])
        row["colours"] = sorted(row["colours"])
    return rows


def actual() -> dict[tuple[int, str], dict]:
    return {
        (s.product_id, s.market_id): {
            "currency": s.currency,
            "from_price_amount": s.from_price_amount,
            "offers": s.offers,
            "grade_prices": s.grade_prices,
            "high_price_amount": s.high_price_amount,
            "storages": sorted(s.storages),
            "colours": sorted(s.colours),
        }
        for s in OfferSummary.objects.all()
    }


def test_listing_create_update_and_status_services_keep_the_summary_exact():
    variant = VariantFactory()
    other_variant = VariantFactory(product=variant.product)
    cheap = make_listing(variant=variant, price_amount=30000, grade=grade("good"))
    dear = make_listing(variant=other_variant, price_amount=45000, grade=grade("excellent"))
    make_listing(variant=variant, price_amount=52000, market=market("de"))
    key = (variant.product_id, "fr")

    assert actual() == expected()
    assert actual()[key] == {
        "currency": "EUR",
        "from_price_amount": 30000,
        "offers": 2,
        "grade_prices": {"good": 30000, "excellent": 45000},
        "high_price_amount": 45000,
        "storages": [128],
        "colours": sorted([variant.colour, other_variant.colour]),
    }

    listing_update(listing=cheap, actor=ACTOR, price_amount=47000)
    assert actual()[key]["from_price_amount"] == 45000
    assert actual() == expected()

    listing_update(listing=dear, actor=ACTOR, grade=grade("good"))
    assert actual()[key]["grade_prices"] == {"good": 45000}

    listing_pause(listing=dear, actor=ACTOR)
    assert actual()[key] == {
        "currency": "EUR",
        "from_price_amount": 47000,
        "offers": 1,
        "grade_prices": {"good": 47000},
        "high_price_amount": 47000,
        "storages": [128],
        "colours": [variant.colour],
    }
    listing_resume(listing=dear, actor=ACTOR)
    listing_update(listing=cheap, actor=ACTOR, stock=0)
    assert actual()[key]["offers"] == 1
    listings_pause_by_platform(seller=dear.seller, actor=ACTOR, reason="score")
    assert key not in actual()  # no visible offer left in fr: no row
    assert actual() == expected()

    listing_deactivate(listing=cheap, actor=ACTOR)
    assert actual() == expected()


def test_stock_changes_that_keep_an_offer_visible_leave_the_row_alone_and_sold_out_removes_it():
    listing = make_listing(stock=3)
    key = (listing.variant.product_id, "fr")

    # The checkout's conditional reservation: UPDATE ... SET stock = stock - n WHERE stock >= n.
    assert Listing.objects.filter(pk=listing.pk, stock__gte=2).update(stock=F("stock") - 2) == 1
    assert actual()[key]["offers"] == 1
    assert Listing.objects.filter(pk=listing.pk, stock__gte=1).update(stock=F("stock") - 1) == 1
    assert key not in actual()
    # A release gives the unit back.
    Listing.objects.filter(pk=listing.pk).update(stock=F("stock") + 1)
    assert actual() == expected()
    assert actual()[key]["offers"] == 1


def test_set_based_bulk_transitions_and_seller_lifecycle_keep_the_summary_exact():
    seller = SellerFactory()
    rival = SellerFactory().organisation
    product = ProductFactory()
    variants = [VariantFactory(product=product) for _ in range(3)]
    for n, variant in enumerate(variants):
        make_listing(seller=seller.organisation, variant=variant, price_amount=20000 + n, sku=f"S-{n}")
        make_listing(seller=seller.organisation, variant=variant, price_amount=21000 + n, sku=f"S-{n}", market="de")
    make_listing(seller=rival, variant=variants[0], price_amount=40000)

    seller_suspend(seller=seller, actor=ACTOR, reason="score")
    assert actual() == expected()
    assert actual()[(product.pk, "fr")]["from_price_amount"] == 40000
    assert (product.pk, "de") not in actual()

    seller.refresh_from_db()
    seller_reinstate(seller=seller, actor=ACTOR, reason="appeal")
    assert actual()[(product.pk, "fr")] == {
        "currency": "EUR",
        "from_price_amount": 20000,
        "offers": 4,
        "grade_prices": {"excellent": 20000},
        "high_price_amount": 40000,
        "storages": [128],
        "colours": sorted(v.colour for v in variants),
    }

    seller.refresh_from_db()
    seller_suspend(seller=seller, actor=ACTOR, reason="again")
    seller.refresh_from_db()
    seller_terminate(seller=seller, actor=ACTOR, reason="fraud", ground="fraud")
    assert actual() == expected()

    with transaction.atomic():
        bulk_transition(
            Listing.objects.filter(seller=rival),
            from_status=ListingStatus.ACTIVE,
            to=ListingStatus.PAUSED,
            actor=ACTOR,
            transitions=TRANSITIONS,
        )
    assert actual() == {}


def test_raw_sql_updates_and_deletes_are_covered_too():
    listing = make_listing(price_amount=30000)
    other = make_listing(variant=listing.variant, price_amount=35000)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_listing SET price_amount = 25000 WHERE id = %s", [other.pk])
    assert actual()[(listing.variant.product_id, "fr")]["from_price_amount"] == 25000
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_listing WHERE id = %s", [other.pk])
    assert actual() == expected()
    assert actual()[(listing.variant.product_id, "fr")]["offers"] == 1


def test_a_variant_whose_storage_colour_or_product_changes_refreshes_the_products_it_leaves_and_joins():
    product, other_product = ProductFactory(), ProductFactory()
    variant = VariantFactory(product=product, storage_gb=128, colour="Midnight")
    make_listing(variant=variant, price_amount=30000)
    make_listing(variant=VariantFactory(product=product, storage_gb=256, colour="Starlight"), price_amount=35000)
    make_listing(variant=VariantFactory(product=other_product, storage_gb=64, colour="Red"), price_amount=20000)
    assert actual()[(product.pk, "fr")]["storages"] == [128, 256]

    Variant.objects.filter(pk=variant.pk).update(storage_gb=512, colour="Blue")
    assert actual()[(product.pk, "fr")]["storages"] == [256, 512]
    assert actual()[(product.pk, "fr")]["colours"] == ["Blue", "Starlight"]
    Variant.objects.filter(pk=variant.pk).update(product=other_product)
    assert actual() == expected()
    assert actual()[(product.pk, "fr")]["offers"] == 1
    assert actual()[(other_product.pk, "fr")]["colours"] == ["Blue", "Red"]
    assert actual()[(other_product.pk, "fr")]["high_price_amount"] == 30000


def test_a_bulk_load_fills_the_summary_once_at_the_end():
    variant = VariantFactory()
    seller = SellerFactory().organisation
    with transaction.atomic(), listings_bulk_load():
        Listing.objects.bulk_create(
            [
                Listing(
                    seller=seller,
                    variant=variant,
                    grade=grade("fair"),
                    market=market("fr"),
                    price_amount=10000 + n,
                    currency="EUR",
                    stock=n % 2,
                    sku=f"BULK-{n}",
                    battery_health=90,
                    battery_floor=80,
                    status=ListingStatus.ACTIVE,
                )
                for n in range(10)
            ]
        )
        assert OfferSummary.objects.count() == 0  # the triggers stand aside inside the block
    assert actual() == expected()
    assert actual()[(variant.product_id, "fr")]["offers"] == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_of_one_product_never_leave_stale_figures():
    """Two transactions change two offers of the same product and market at once. Without the per-pair lock
    the second would recompute from a snapshot missing the first's change and overwrite it at its commit."""
    for round_number in range(5):
        product = ProductFactory()
        first = make_listing(variant=VariantFactory(product=product), price_amount=30000, sku=f"C{round_number}-1")
        second = make_listing(variant=VariantFactory(product=product), price_amount=31000, sku=f"C{round_number}-2")
        first_updated = threading.Event()
        errors: list[BaseException] = []

        def slow_writer(listing=first, first_updated=first_updated, errors=errors) -> None:
            try:
                with transaction.atomic():
                    Listing.objects.filter(pk=listing.pk).update(price_amount=50000)
                    first_updated.set()
                    threading.Event().wait(0.3)  # hold the transaction open while the other one writes
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        def fast_writer(listing=second, first_updated=first_updated, errors=errors) -> None:
            try:
                first_updated.wait(5)
                with transaction.atomic():
                    Listing.objects.filter(pk=listing.pk).update(price_amount=45000)
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)

        assert errors == []
        summary = OfferSummary.objects.get(product=product, market_id="fr")
        assert (summary.from_price_amount, summary.offers) == (45000, 2)
        assert actual() == expected()
