"""After-sales fixtures: private files in a temporary directory; a delivered unit of a shopper."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def warranty(shopper):
    from tests.factories.warranty import delivered_units

    return delivered_units(shopper, price_amount=40000)[0]
