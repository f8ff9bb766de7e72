"""Workshop test fixtures."""

from __future__ import annotations

import pytest

from marketplace.models import Organisation, User
from tests.factories import MembershipFactory


@pytest.fixture
def seller_staff(seller_org: Organisation) -> User:
    return MembershipFactory(organisation=seller_org, role="staff").user


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings):
    """Photos land in a temporary private root (never the developer's var/)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT
