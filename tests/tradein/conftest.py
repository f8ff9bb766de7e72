from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory


@pytest.fixture
def private_media(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def operator(db):
    user = UserFactory(is_staff=True, full_name="Omar Operator")
    user.groups.add(Group.objects.get(name="warehouse operators"))
    return user


@pytest.fixture
def finance(db):
    user = UserFactory(is_staff=True, full_name="Fiona Finance")
    user.groups.add(Group.objects.get(name="finance"))
    return user


@pytest.fixture
def manager(db):
    user = UserFactory(is_staff=True, full_name="Sam Success")
    user.groups.add(Group.objects.get(name="success managers"))
    return user
