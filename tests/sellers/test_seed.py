"""Seller demo data at bench scale: every seller organisation gets a seller row with a unique VAT id."""

import pytest

from marketplace import seed as kernel_seed
from marketplace.models import Organisation
from sellers import seed as seller_seed
from sellers.models import Seller
from sellers.vat import vat_id_error
from tests.factories.catalog import VariantFactory


@pytest.mark.django_db
def test_bench_scale_gives_two_hundred_sellers_unique_valid_vat_ids():
    VariantFactory()
    kernel_seed.seed(scale="bench", log=lambda _: None)

    seller_seed.seed(scale="bench", log=lambda _: None)
    seller_seed.seed_after(scale="bench", log=lambda _: None)

    sellers = list(Seller.objects.select_related("home_market"))
    assert (
        len(sellers) == Organisation.objects.filter(kind="seller").count() == 2 + 200 + len(seller_seed.STATE_SELLERS)
    )
    assert len({s.vat_id for s in sellers}) == len(sellers)
    assert [s.vat_id for s in sellers if vat_id_error(s.home_market.code, s.vat_id)] == []


@pytest.mark.django_db
def test_demo_sellers_figures_explain_their_state():
    from sellers.models import PerformanceDay
    from tests.factories.catalog import make_listing

    make_listing(sku="TEMPLATE", stock=5)  # the catalog the demo sellers copy
    seller_seed.seed_after(scale="demo", log=lambda _: None)

    sellers = {s.organisation.slug: s for s in Seller.objects.select_related("organisation")}
    suspended, good, warning, capped = (
        sellers[slug] for slug in ("suspended-cells", "steady-screens", "slow-parcel", "cracked-corner")
    )
    assert (suspended.status, suspended.ladder_step) == ("suspended", "suspended")
    today = PerformanceDay.objects.get(seller=suspended, day=suspended.scored_on)
    assert today.units_delivered == 30
    assert today.defects * 100 > 8 * today.units_delivered  # more than 8 % defects
    assert (good.status, good.ladder_step) == ("active", "none")
    assert good.score >= 95
    assert (warning.ladder_step, capped.ladder_step) == ("warning", "cap")
    assert 60 <= warning.score < 70
    assert 50 <= capped.score < 60
    for seller in (suspended, good, warning, capped):
        assert PerformanceDay.objects.filter(seller=seller).count() == 61  # a trend to look at
    assert sellers["closed-circuit"].status == "terminated"
    assert sellers["closed-circuit"].termination_ground == "fraud"
