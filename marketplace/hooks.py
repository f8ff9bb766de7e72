"""In-transaction hooks: how a lower floor lets upper ones act on what it just did, without importing them.

A lower app declares a hook where the thing happens (`orders/hooks.py`:
`seller_order_delivered = Hook("seller_order_delivered")`) and fires it inside the
transaction of the change; an upper app connects its handler once, in its
`AppConfig.ready()` (`warranty` creates the delivered units' warranties). The
handlers run synchronously, in connection order, in the same transaction: if one
raises, the whole change rolls back, and nothing runs for a change that rolls back.

This is deliberately not Django signals: each hook is a named object that one
module declares and documents, handlers are connected explicitly in one place per
app, and firing outside a transaction is refused. For work that may happen later
(e-mails, webhooks), use `transaction.on_commit` or the outbox (`marketplace.events.emit`).

A `Provider` is the read-side twin: a lower app asks upper ones for something to show
(`orders.hooks.shippable_units`: which of a listing's refurbished units the ship form
offers), without importing them. Each provider registered in an `AppConfig.ready()`
answers; `collect(**kwargs)` returns the answers in registration order. Providers only
read; they never write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

Handler = Callable[..., None]
Answer = Callable[..., Any]


class Hook:
    """A named point where a lower app tells upper ones what happened, inside its transaction."""

    def __init__(self, name: str, *, doc: str = "") -> None:
        self.name = name
        self.doc = doc
        self._handlers: list[Handler] = []

    def connect(self, handler: Handler) -> Handler:
        """Add `handler` (once; connecting it again changes nothing). Usable as a decorator."""
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def disconnect(self, handler: Handler) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    @property
    def handlers(self) -> tuple[Handler, ...]:
        return tuple(self._handlers)

    def fire(self, **kwargs: Any) -> None:
        """Run every handler with `kwargs`, inside the caller's transaction (required)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"hook {self.name!r} must fire inside the transaction of the change it reports")
        for handler in self._handlers:
            handler(**kwargs)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._handlers)} handler(s))"


class Provider:
    """A named point where a lower app asks upper ones for something to show (read only)."""

    def __init__(self, name: str, *, doc: str = "") -> None:
        self.name = name
        self.doc = doc
        self._answers: list[Answer] = []

    def register(self, answer: Answer) -> Answer:
        """Add `answer` (once; registering it again changes nothing). Usable as a decorator."""
        if answer not in self._answers:
            self._answers.append(answer)
        return answer

    def unregister(self, answer: Answer) -> None:
        if answer in self._answers:
            self._answers.remove(answer)

    def collect(self, **kwargs: Any) -> list[Any]:
        """Every registered answer to `kwargs`, in registration order (none registered: [])."""
        return [answer(**kwargs) for answer in self._answers]

    def __repr__(self) -> str:
        return f"Provider({self.name!r}, {len(self._answers)} answer(s))"
