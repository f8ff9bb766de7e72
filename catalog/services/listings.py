"""Listings: born in exactly one place (`listing_create`), edited, and moved between statuses.

The sellers app owns the probation cap: it takes the day's slots, then calls `listing_create` in
the same transaction. A seller whose standing forbids selling (`catalog.services.standing`) can
neither create nor publish nor resume a listing, by any path.

Listing status services. One listing (each returns the updated listing):
- `listing_publish`     draft -> active                        (seller; the seller must be allowed to sell)
- `listing_pause`       active -> paused                       (seller)
- `listing_resume`      paused -> active                       (seller; never out of a platform pause)
- `listing_deactivate`  any but deactivated -> deactivated     (seller or platform; final)
All of a seller's listings at once, set-based, for the platform's decisions (each returns the ids moved):
- `listings_pause_by_platform`   active -> paused_by_platform   (end of probation, suspension; `_many`: several
                                                                sellers at once, the scoring job's suspensions)
- `listings_resume_by_platform`  paused_by_platform -> active   (activation, reinstatement)
- `listings_deactivate`          any but deactivated -> deactivated (termination)
Pauses emit `listing.paused` with one payload, `listing_event_data`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Grade, Listing, Variant
from catalog.services.standing import seller_assert_may_sell
from catalog.states import SELLER_SETTABLE, TRANSITIONS, ListingStatus
from catalog.versioning import listings_changed
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit, emit_many
from marketplace.models import EventType, Market, Organisation, OrganisationKind
from marketplace.transitions import audit_record, bulk_transition, transition

# Fields a seller may change on an existing listing (variant and market define the offer: a new listing).
EDITABLE_FIELDS = frozenset({"grade", "price_amount", "stock", "sku", "battery_health", "warranty_months", "status"})


def _validation_error(error: ValidationError) -> ApplicationError:
    errors = []
    for field, messages in error.message_dict.items():
        for message in messages:
            errors.append({"field": "" if field == "__all__" else field, "message": str(message)})
    summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return ApplicationError(ErrorCode.VALIDATION, summary or _("The listing is not valid."), errors=errors)


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, f"{field}: {message}", errors=[{"field": field, "message": message}])


def _check_rules(listing: Listing) -> None:
    """DOMAIN rules, checked before the database's own constraints so the caller gets field errors."""
    errors: list[dict[str, str]] = []
    grade: Grade = listing.grade
    if listing.battery_health is not None and listing.battery_health < grade.battery_floor:
        errors.append(
            {
                "field": "battery_health",
                "message": _("Battery health %(health)s %% is below the %(grade)s grade's floor of %(floor)s %%.")
                % {"health": listing.battery_health, "grade": grade.display_name, "floor": grade.battery_floor},
            }
        )
    if listing.battery_health is not None and listing.battery_health > 100:
        errors.append({"field": "battery_health", "message": _("Battery health is a percentage (at most 100).")})
    if listing.warranty_months is not None and listing.warranty_months < 12:
        errors.append({"field": "warranty_months", "message": _("The warranty is at least 12 months.")})
    if listing.price_amount is not None and listing.price_amount <= 0:
        errors.append({"field": "price_amount", "message": _("The price must be positive.")})
    if listing.stock is not None and listing.stock < 0:
        errors.append({"field": "stock", "message": _("Stock cannot be negative.")})
    if not (listing.sku or "").strip():
        errors.append({"field": "sku", "message": _("A SKU is required.")})
    elif listing.sku.startswith(("=", "+", "-", "@")):
        # Exported to CSV it would run as a spreadsheet formula on the seller's machine.
        errors.append({"field": "sku", "message": _("A SKU may not start with =, +, - or @.")})
    if listing.currency != listing.market.currency:
        errors.append(
            {
                "field": "currency",
                "message": _("Prices in %(market)s are in %(currency)s.")
                % {"market": listing.market.display_name, "currency": listing.market.currency},
            }
        )
    if errors:
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise ApplicationError(ErrorCode.VALIDATION, summary, errors=errors)


def _save(listing: Listing, *, update_fields: list[str] | None = None) -> None:
    """full_clean then save; unique and check violations become field errors, not 500s."""
    try:
        listing.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise _validation_error(error) from None
    duplicate = Listing.objects.filter(seller_id=listing.seller_id, sku=listing.sku, market_id=listing.market_id)
    if listing.pk:
        duplicate = duplicate.exclude(pk=listing.pk)
    if duplicate.exists():
        raise _field_error(
            "sku",
            _("You already have a listing with SKU %(sku)s in this market.") % {"sku": listing.sku},
        )
    try:
        with transaction.atomic():
            listing.save(update_fields=update_fields)
    except IntegrityError as error:
        # A concurrent insert of the same SKU, or a constraint the checks above missed.
        if "listing_seller_sku_market_unique" in str(error):
            raise _field_error("sku", _("You already have a listing with this SKU in this market.")) from None
        raise ApplicationError(ErrorCode.VALIDATION, _("The listing breaks a catalog rule: %s") % error) from None


def listing_create(
    *,
    seller: Organisation,
    actor: Actor,
    variant: Variant,
    grade: Grade,
    market: Market,
    price_amount: int,
    stock: int,
    sku: str,
    battery_health: int,
    warranty_months: int = 12,
    status: str = ListingStatus.ACTIVE,
) -> Listing:
    """Create a seller's listing: the one place a listing is born.

    Sellers' paths (back-office form, CSV import, API) reach it through
    `sellers.services.listings`, which takes the day's probation slots first in the same
    transaction. Preconditions: `seller` is a seller organisation whose standing allows selling
    (else SELLER_NOT_SELLING); `status` is draft, active or paused. The price is all-in, in minor
    units of the market's currency. Runs in one transaction; refuses with
    `ApplicationError(VALIDATION)` naming the fields (battery below the grade's floor, warranty
    under 12 months, negative stock, non-positive price, duplicate SKU in the market). Side
    effects: an audit row ("" -> status), a catalog cache-version bump on commit.
    """
    if seller.kind != OrganisationKind.SELLER:
        raise _field_error("seller", _("Only seller organisations have listings."))
    if status not in SELLER_SETTABLE:
        raise _field_error("status", _("A new listing is draft, active or paused."))
    with transaction.atomic():
        seller_assert_may_sell(seller.pk)
        listing = Listing(
            seller=seller,
            variant=variant,
            grade=grade,
            market=market,
            price_amount=price_amount,
            currency=market.currency,
            stock=stock,
            sku=(sku or "").strip(),
            battery_health=battery_health,
            battery_floor=grade.battery_floor,
            warranty_months=warranty_months,
            status=status,
        )
        _check_rules(listing)
        _save(listing)
        audit_record(obj=listing, actor=actor, from_status="", to_status=status, reason="created", organisation=seller)
        listings_changed([listing.pk])
    return listing


def listing_update(*, listing: Listing, actor: Actor, **changes: Any) -> Listing:
    """Change a listing's grade, price, stock, SKU, battery health, warranty and/or status.

    `changes` keys: grade (Grade), price_amount, stock, sku, battery_health, warranty_months,
    status (draft/active/paused: dispatched to the status services). Variant and market are
    fixed (a different offer is a new listing). Locks the row; same validation as `listing_create`.
    A deactivated listing cannot be edited.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise _field_error(field, _("This field cannot be changed on an existing listing."))
    status = changes.pop("status", None)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().select_related("grade", "market").get(pk=listing.pk)
        if locked.status == ListingStatus.DEACTIVATED:
            raise ApplicationError(ErrorCode.INVALID_TRANSITION, _("A deactivated listing cannot be changed."))
        update_fields: list[str] = []
        for name, value in changes.items():
            if name == "grade":
                locked.grade = value
                locked.battery_floor = value.battery_floor
                update_fields += ["grade", "battery_floor"]
            else:
                setattr(locked, name, value.strip() if name == "sku" and isinstance(value, str) else value)
                update_fields.append(name)
        if update_fields:
            _check_rules(locked)
            locked.updated_at = timezone.now()
            _save(locked, update_fields=[*update_fields, "updated_at"])
            listings_changed([locked.pk])
        if status is not None and status != locked.status:
            locked = _seller_status_change(locked, status=status, actor=actor)
    for name in [*changes, "status", "updated_at", "battery_floor"]:
        setattr(listing, name, getattr(locked, name))
    return locked


def _seller_status_change(listing: Listing, *, status: str, actor: Actor) -> Listing:
    if status not in SELLER_SETTABLE:
        raise _field_error("status", _("Sellers may set a listing to draft, active or paused."))
    if status == ListingStatus.ACTIVE:
        if listing.status == ListingStatus.DRAFT:
            return listing_publish(listing=listing, actor=actor)
        return listing_resume(listing=listing, actor=actor)
    if status == ListingStatus.PAUSED:
        return listing_pause(listing=listing, actor=actor)
    raise ApplicationError(
        ErrorCode.INVALID_TRANSITION,
        _("A listing cannot go back to draft."),
        extra={"from": listing.status, "to": status},
    )


def _move(listing: Listing, *, to: str, actor: Actor, reason: str, allowed_from: frozenset[str]) -> Listing:
    if to == ListingStatus.ACTIVE:
        # Under review, suspended or terminated: no path publishes or resumes a listing.
        seller_assert_may_sell(listing.seller_id)
    if listing.status not in allowed_from:
        # Re-read: the caller's copy may be stale; `transition` re-checks under the lock anyway.
        listing.refresh_from_db(fields=["status"])
    if listing.status not in allowed_from:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("This listing cannot go from %(from)s to %(to)s.") % {"from": listing.status, "to": to},
            extra={"from": listing.status, "to": to},
        )
    allowed = {state: targets if state in allowed_from else frozenset() for state, targets in TRANSITIONS.items()}
    with transaction.atomic():
        updated = transition(
            listing,
            to=to,
            actor=actor,
            transitions=allowed,
            reason=reason,
            organisation=listing.seller,
        )
        if to == ListingStatus.PAUSED:
            emit(EventType.LISTING_PAUSED, listing_event_data(updated, reason=reason), listing.seller)
        listings_changed([listing.pk])
    return updated


def listing_publish(*, listing: Listing, actor: Actor, reason: str = "") -> Listing:
    """draft -> active. The listing shows in the storefront once it has stock."""
    return _move(listing, to=ListingStatus.ACTIVE, actor=actor, reason=reason, allowed_from=frozenset({"draft"}))


def listing_pause(*, listing: Listing, actor: Actor, reason: str = "") -> Listing:
    """active -> paused, by the seller. Emits `listing.paused`."""
    return _move(listing, to=ListingStatus.PAUSED, actor=actor, reason=reason, allowed_from=frozenset({"active"}))


def listing_resume(*, listing: Listing, actor: Actor, reason: str = "") -> Listing:
    """paused -> active, by the seller. A platform pause is lifted only by `listings_resume_by_platform`."""
    return _move(listing, to=ListingStatus.ACTIVE, actor=actor, reason=reason, allowed_from=frozenset({"paused"}))


def listing_deactivate(*, listing: Listing, actor: Actor, reason: str = "") -> Listing:
    """Any status but deactivated -> deactivated, for good (seller removal, seller terminated)."""
    return _move(
        listing,
        to=ListingStatus.DEACTIVATED,
        actor=actor,
        reason=reason,
        allowed_from=frozenset(s for s in ListingStatus.values if s != ListingStatus.DEACTIVATED),
    )


# --- all of a seller's listings, for the platform's decisions -------------------------------
def listing_event_data(listing: Listing, *, reason: str = "") -> dict[str, Any]:
    """The payload of listing events (`listing.paused`), the same for one listing and for many."""
    return {
        "listing": listing.pk,
        "sku": listing.sku,
        "status": listing.status,
        "market": listing.market_id,
        "variant": listing.variant_id,
        "grade": listing.grade_id,
        "reason": reason,
    }


def _bulk_move(
    *, seller: Organisation, from_statuses: tuple[str, ...], to: str, actor: Actor, reason: str
) -> list[int]:
    moved: list[int] = []
    with transaction.atomic():
        for from_status in from_statuses:
            moved += bulk_transition(
                Listing.objects.filter(seller=seller),
                from_status=from_status,
                to=to,
                actor=actor,
                transitions=TRANSITIONS,
                reason=reason,
                organisation_field="seller",
            )
        if moved:
            listings_changed(moved)
    return sorted(moved)


def listings_pause_by_platform(*, seller: Organisation, actor: Actor, reason: str) -> list[int]:
    """Pause every active listing of `seller` as `paused_by_platform` (end of probation, suspension).

    Set-based and idempotent: one UPDATE of the active rows, one audit row and one `listing.paused`
    event each. The seller's own pauses stay `paused`, so that `listings_resume_by_platform`
    later resumes exactly the listings that were live. Runs in the caller's transaction if any.
    """
    with transaction.atomic():
        moved = _bulk_move(
            seller=seller,
            from_statuses=(ListingStatus.ACTIVE,),
            to=ListingStatus.PAUSED_BY_PLATFORM,
            actor=actor,
            reason=reason,
        )
        if moved:
            emit_many(
                EventType.LISTING_PAUSED,
                [
                    (listing_event_data(listing, reason=reason), seller)
                    for listing in Listing.objects.filter(pk__in=moved).order_by("pk")
                ],
            )
    return moved


def listings_pause_by_platform_many(*, seller_ids: Collection[int], actor: Actor, reason: str) -> list[int]:
    """`listings_pause_by_platform` for many sellers at once (the scoring job's suspensions): one UPDATE
    of their active listings, one audit row each under its own seller, one `listing.paused` event each,
    in the caller's transaction. Returns the listing ids paused."""
    if not seller_ids:
        return []
    with transaction.atomic():
        moved = bulk_transition(
            Listing.objects.filter(seller_id__in=list(seller_ids)),
            from_status=ListingStatus.ACTIVE,
            to=ListingStatus.PAUSED_BY_PLATFORM,
            actor=actor,
            transitions=TRANSITIONS,
            reason=reason,
            organisation_field="seller",
        )
        if moved:
            listings_changed(moved)
            emit_many(
                EventType.LISTING_PAUSED,
                [
                    (listing_event_data(listing, reason=reason), listing.seller)
                    for listing in Listing.objects.filter(pk__in=moved).select_related("seller").order_by("pk")
                ],
            )
    return sorted(moved)


def listings_resume_by_platform(*, seller: Organisation, actor: Actor, reason: str) -> list[int]:
    """Resume exactly the listings the platform paused (activation, reinstatement). Idempotent.

    The caller has made the seller's standing allow selling first (same transaction).
    """
    return _bulk_move(
        seller=seller,
        from_statuses=(ListingStatus.PAUSED_BY_PLATFORM,),
        to=ListingStatus.ACTIVE,
        actor=actor,
        reason=reason,
    )


def listings_deactivate(*, seller: Organisation, actor: Actor, reason: str) -> list[int]:
    """Deactivate every listing of `seller` for good (termination). Idempotent; history stays."""
    return _bulk_move(
        seller=seller,
        from_statuses=tuple(
            status
            for status in ListingStatus.values
            if ListingStatus.DEACTIVATED in TRANSITIONS.get(status, frozenset())
        ),
        to=ListingStatus.DEACTIVATED,
        actor=actor,
        reason=reason,
    )
