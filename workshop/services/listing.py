"""From ready to listed in one step, through the one listing door.

`unit_listing_create` lists a ready unit in a market, in its suggested grade or a lower one (never a
higher one), with the unit's battery health:
- it joins the seller's listing of the same variant, grade and market (not deactivated; the one with the
  given SKU, else the active one first, then the oldest): the listing's stock grows by one under the
  listing's row lock (`catalog.services.listings.listing_update`), its price and warranty become the
  ones given (a listing has one price for all its units), and its stated battery health becomes the
  lower of its own and the unit's (what it states stays true of every unit);
- or it starts one (stock 1, active) through `sellers.services.listings.seller_listing_create`: the
  probation or score cap takes the day's slot first, and the catalog's rules apply;
- and the unit moves ready -> listed with its listing. One transaction: a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Grade, Listing, Variant
from catalog.selectors.buy_box import price_to_win
from catalog.services.listings import listing_update
from catalog.services.standing import seller_assert_may_sell
from catalog.states import ListingStatus
from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Market
from marketplace.money import Money
from orders.selectors import commission_rates
from sellers.services.listings import seller_listing_create
from workshop.costs import PriceSuggestion, price_suggest
from workshop.grading import grade_allowed
from workshop.models import Unit
from workshop.services.setup import workshop_settings_for
from workshop.services.units import unit_move
from workshop.states import SELLER_MOVES, UnitStatus


def _field_error(code: ErrorCode, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, errors=[{"field": field, "message": message}])


def listing_to_join(
    *, unit: Unit, grade: Grade | str, market: Market | str, sku: str = "", lock: bool = False
) -> Listing | None:
    """The seller's listing a unit of this variant would join in `grade` and `market` (see the module's
    docstring), or None (it starts one). A given SKU of another offer: VALIDATION on `sku`."""
    grade_code = grade.code if isinstance(grade, Grade) else grade
    market_code = market.code if isinstance(market, Market) else market
    queryset = Listing.objects.filter(
        seller_id=unit.seller_id, variant_id=unit.variant_id, grade_id=grade_code, market_id=market_code
    ).exclude(status=ListingStatus.DEACTIVATED)
    if lock:
        queryset = queryset.select_for_update()
    candidates = sorted(
        queryset, key=lambda listing: (listing.status != ListingStatus.ACTIVE, listing.created_at, listing.pk)
    )
    sku = sku.strip()
    if sku:
        chosen = next((listing for listing in candidates if listing.sku.upper() == sku.upper()), None)
        if chosen is not None:
            return chosen
        other = Listing.objects.filter(seller_id=unit.seller_id, market_id=market_code, sku__iexact=sku).first()
        if other is not None:
            raise _field_error(
                ErrorCode.VALIDATION,
                "sku",
                _("SKU %(sku)s is your listing of another variant or grade: leave the SKU empty.") % {"sku": sku},
            )
        if candidates:
            raise _field_error(
                ErrorCode.VALIDATION,
                "sku",
                _("This unit joins your listing %(sku)s of the same variant, grade and market: leave the SKU empty.")
                % {"sku": candidates[0].sku},
            )
        return None
    return candidates[0] if candidates else None


def _new_sku(unit: Unit, grade_code: str, market_code: str) -> str:
    base = f"U{unit.variant_id}-{grade_code}-{market_code}".upper()
    taken = set(
        Listing.objects.filter(seller_id=unit.seller_id, market_id=market_code, sku__startswith=base).values_list(
            "sku", flat=True
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def unit_listing_create(
    *,
    unit: Unit,
    actor: Actor,
    market: Market,
    grade: Grade,
    price_amount: int,
    warranty_months: int,
    sku: str = "",
) -> Listing:
    """List a ready unit (see the module's docstring); returns the listing it joined or started.

    Raises INVALID_TRANSITION (409: the unit is not ready), GRADE_ABOVE_SUGGESTION (422), SELLER_NOT_SELLING,
    PROBATION_DAILY_CAP / SCORE_DAILY_CAP (429, with Retry-After), VALIDATION (the catalog's rules).
    """
    with transaction.atomic():
        locked = (
            Unit.objects.select_for_update(of=("self",)).select_related("seller", "suggested_grade").get(pk=unit.pk)
        )
        if locked.status != UnitStatus.READY:
            raise ApplicationError(
                ErrorCode.INVALID_TRANSITION,
                _("Only a unit ready to list can be listed (this one is %(status)s).")
                % {"status": locked.get_status_display()},
                extra={"from": locked.status, "to": UnitStatus.LISTED, "allowed": sorted(SELLER_MOVES[locked.status])},
            )
        suggested = locked.suggested_grade
        if suggested is None or locked.battery_health is None:
            raise _field_error(ErrorCode.VALIDATION, "grade", _("Record a passed quality check first."))
        if not grade_allowed(chosen_rank=grade.rank, suggested_rank=suggested.rank):
            raise _field_error(
                ErrorCode.GRADE_ABOVE_SUGGESTION,
                "grade",
                _("The quality check suggests %(suggested)s: list it as %(suggested)s or lower, never higher.")
                % {"suggested": suggested.display_name},
            )
        seller_assert_may_sell(locked.seller_id)
        listing = listing_to_join(unit=locked, grade=grade, market=market, sku=sku, lock=True)
        if listing is not None:
            listing = listing_update(
                listing=listing,
                actor=actor,
                stock=listing.stock + 1,
                price_amount=price_amount,
                warranty_months=warranty_months,
                battery_health=min(listing.battery_health, locked.battery_health),
            )
        else:
            listing = seller_listing_create(
                seller=locked.seller,
                actor=actor,
                variant=Variant.objects.get(pk=locked.variant_id),
                grade=grade,
                market=market,
                price_amount=price_amount,
                stock=1,
                sku=sku.strip() or _new_sku(locked, grade.code, market.code),
                battery_health=locked.battery_health,
                warranty_months=warranty_months,
                status=ListingStatus.ACTIVE,
            )
        unit_move(
            locked,
            to=UnitStatus.LISTED,
            actor=actor,
            reason=f"listed: {listing.sku} ({listing.market_id}, {listing.grade_id})",
            extra={"listing": listing, "listed_at": locked.listed_at or timezone.now()},
        )
    return listing


@dataclass
class ListingDraft:
    """What the listing form is filled with, from the unit."""

    market: Market
    grade: Grade | None
    battery_health: int | None
    warranty_months: int
    price: PriceSuggestion
    joins: Listing | None
    margin_percent: int
    commission_basis_points: int

    @property
    def price_amount(self) -> int | None:
        return self.price.price.amount if self.price.price else None


def unit_listing_draft(*, unit: Unit, market: Market, grade: Grade | None = None) -> ListingDraft:
    """The listing form's values for `unit` in `market` (a read): the suggested grade (or `grade`), the
    battery measured, the seller's warranty months, the listing it would join, and the price suggested
    from the price to win and the unit's cost at the seller's target margin (`workshop.costs`)."""
    settings_row = workshop_settings_for(unit.seller)
    grade = grade or unit.suggested_grade
    joins = listing_to_join(unit=unit, grade=grade, market=market) if grade is not None else None
    category_id = unit.variant.product.category_id
    commission = commission_rates(category_ids={category_id})[category_id]
    to_win_amount: int | None = None
    if grade is not None:
        probe = joins or Listing(
            seller_id=unit.seller_id,
            variant_id=unit.variant_id,
            grade_id=grade.code,
            market_id=market.code,
            currency=market.currency,
            price_amount=1,
        )
        standing = price_to_win(probe)
        to_win_amount = standing.price_to_win.amount if standing.price_to_win else None
    cost = unit.total_cost if unit.currency == market.currency else Money(0, market.currency)
    suggestion = price_suggest(
        cost=cost,
        margin_percent=settings_row.target_margin_percent,
        commission_basis_points=commission,
        price_to_win_amount=to_win_amount,
    )
    return ListingDraft(
        market=market,
        grade=grade,
        battery_health=unit.battery_health,
        warranty_months=joins.warranty_months if joins else settings_row.warranty_months,
        price=suggestion,
        joins=joins,
        margin_percent=settings_row.target_margin_percent,
        commission_basis_points=commission,
    )
