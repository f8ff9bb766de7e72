"""What the storefront layout needs from the orders app on every page: the cart's unit count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from orders.cart_count import CART_SESSION_KEY, cart_count_get


def cart(request: HttpRequest) -> dict[str, Any]:
    """`cart_count`, lazily: only the pages whose header shows it read it (`orders.cart_count`)."""
    return {"cart_count": lambda: _cart_count(request)}


def _cart_count(request: HttpRequest) -> int:
    session = getattr(request, "session", None)
    # A visitor without a session has neither an account nor a cart: nothing to read.
    if session is None or (session.session_key is None and not session.modified):
        return 0
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    try:
        cart_id = int(session.get(CART_SESSION_KEY) or 0) or None
    except (TypeError, ValueError):
        cart_id = None
    return cart_count_get(user_id=user_id, cart_id=cart_id)
