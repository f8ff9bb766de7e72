"""The signed-in user, kept in the cache between requests.

Every request with a session reads its user (`django.contrib.auth.get_user`): a query of its own on each
page, cart add and payment. `marketplace.auth_backends` reads the user from here first and stores what
PostgreSQL returned on a miss, or the user just signed in. Any write to a user's row forgets the cached
copy: a save or delete (the model signals below), a queryset's `update()` or `bulk_update()`
(`marketplace.models.UserQuerySet`), both at once and again when the transaction commits: a request that
read the row before that commit and stores it after the first forget is undone by the second. Only one
storing it later still (between its own SELECT and SET, well under a millisecond) could keep the old row,
until it expires: a copy lives `USER_CACHE_SECONDS` at most.

What the copy is used for is what the row was used for: who the person is, whether they are active, and
the session's check against the password hash (a password changed elsewhere signs the other sessions out).
Groups and permissions are not cached (Django reads them per request where a page asks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

USER_CACHE_SECONDS = 300


def user_cache_key(user_id: object) -> str:
    return f"auth:user:{user_id}"


def user_cache_get(user_id: object) -> Any:
    return cache.get(user_cache_key(user_id))


def user_cache_set(user: Any) -> None:
    cache.set(user_cache_key(user.pk), user, USER_CACHE_SECONDS)


def user_cache_forget(user_ids: Iterable[object]) -> None:
    """Forget these users' cached rows now and once more when the current transaction commits."""
    keys = [user_cache_key(user_id) for user_id in user_ids]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def user_cache_signed_in(sender: object, user: Any, **kwargs: object) -> None:
    """`user_logged_in`: the user just read (and saved with its `last_login`) is the cached copy, so the
    first page after a log-in reads no user either. Connected in `MarketplaceConfig.ready`, after Django's
    own `update_last_login` (connected by the auth app, which comes first), whose save forgets the copy."""
    user_cache_set(user)


@receiver(post_save, sender="marketplace.User", dispatch_uid="usercache-save")
@receiver(post_delete, sender="marketplace.User", dispatch_uid="usercache-delete")
def _user_written(sender: object, instance: Any, **kwargs: object) -> None:
    user_cache_forget([instance.pk])
