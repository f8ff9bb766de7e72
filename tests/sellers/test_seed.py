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
    assert len(sellers) == Organisation.objects.filter(kind="seller").count() == 2 + 200 + 6
    assert len({s.vat_id for s in sellers}) == len(sellers)
    assert [s.vat_id for s in sellers if vat_id_error(s.home_market.code, s.vat_id)] == []
