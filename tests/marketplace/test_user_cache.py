"""The signed-in user read from the cache (marketplace/usercache.py, marketplace/auth_backends.py): no query
for the user on a signed-in request, and every way a user's row changes reaches the next request (saved,
updated in a set, deleted, password changed elsewhere); sessions signed in under the old backend paths stay
signed in."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketplace.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/account/orders/"  # signed in only: a signed-out visitor is sent to log in


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _user_reads(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return sum('FROM "marketplace_user"' in query["sql"] for query in queries.captured_queries)


def _is_signed_in(client: Client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_signed_in_request_reads_its_user_from_the_cache():
    client = _signed_in(UserFactory())
    assert _user_reads(client) == 0  # kept at the log-in
    cache.clear()
    assert _user_reads(client) == 1  # gone from the cache: read once, and kept
    assert _user_reads(client) == 0


def test_a_saved_change_reaches_the_next_request():
    user = UserFactory(full_name="Ada Before")
    client = _signed_in(user)
    assert client.get(PAGE).context["user"].full_name == "Ada Before"

    user.full_name = "Ada After"
    user.save()

    assert client.get(PAGE).context["user"].full_name == "Ada After"


@pytest.mark.parametrize("how", ["save", "update", "bulk_update", "delete"])
def test_a_user_deactivated_or_deleted_any_way_is_signed_out_at_once(how):
    user = UserFactory()
    client = _signed_in(user)
    assert _is_signed_in(client)

    if how == "save":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif how == "update":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif how == "bulk_update":
        user.is_active = False
        User.objects.bulk_update([user], ["is_active"])
    else:
        user.delete()

    assert not _is_signed_in(client)


def test_a_password_changed_elsewhere_signs_the_other_sessions_out():
    user = UserFactory()
    other_device = _signed_in(user)
    assert _is_signed_in(other_device)

    user.set_password(f"{PASSWORD}-new")
    user.save()

    assert not _is_signed_in(other_device)


def test_a_log_in_through_the_form_is_remembered_by_the_cached_backend():
    user = UserFactory()
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY].startswith("marketplace.auth_backends.")
    assert _is_signed_in(client)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("django.contrib.auth.backends.ModelBackend", "marketplace.auth_backends.ModelBackend"),
        (
            "allauth.account.auth_backends.AuthenticationBackend",
            "marketplace.auth_backends.AuthenticationBackend",
        ),
    ],
)
def test_a_session_signed_in_under_the_old_backend_path_stays_signed_in(old, new):
    user = UserFactory()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = old
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key

    assert _is_signed_in(client)
    assert client.session[BACKEND_SESSION_KEY] == new
    assert _user_reads(client) == 0
