"""What every trade-in service shares: the one transition helper and Encore's tracking numbers."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.transitions import transition
from tradein.models import TradeIn
from tradein.states import TRANSITIONS, allowed_moves


def tradein_transition(
    tradein: TradeIn,
    *,
    to: str,
    actor: Actor,
    reason: str = "",
    extra_updates: Mapping[str, object] | None = None,
    then: Callable[[TradeIn, str], None] | None = None,
    on_commit: Callable[[], None] | None = None,
) -> TradeIn:
    """Move a trade-in through the table (row lock, audit under its partner, if any). A move the
    current status does not allow is a 409 naming the moves it allows."""
    try:
        return transition(
            tradein,
            to=to,
            actor=actor,
            transitions=TRANSITIONS,
            reason=reason,
            organisation=tradein.partner,
            extra_updates=extra_updates,
            then=then,
            on_commit=on_commit,
        )
    except ApplicationError as error:
        if error.code != ErrorCode.INVALID_TRANSITION:
            raise
        current = str(error.extra.get("from", ""))
        allowed = allowed_moves(current)
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            f"Trade-in {tradein.reference} is {current.replace('_', ' ')}: it cannot become {to.replace('_', ' ')}"
            + (f" (it may become: {', '.join(allowed)})." if allowed else " (no further move)."),
            extra={"status": current, "allowed": allowed},
        ) from None


def _s10_check_digit(digits: str) -> int:
    """The UPU S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7, modulo 11)."""
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check


def tracking_number_new(*, country: str, service: str = "EN") -> str:
    """A tracking number in the UPU S10 shape: 2 letters, 8 digits, a check digit, the country (EN12345678 5 FR)."""
    digits = f"{secrets.randbelow(10**8):08d}"
    return f"{service}{digits}{_s10_check_digit(digits)}{country.upper()[:2]}"
