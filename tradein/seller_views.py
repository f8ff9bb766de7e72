"""Trade-in supply in the seller back-office (/seller/tradein-lots/): lots to bid on, lots bought."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.access import seller_member_required
from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.money import Money
from marketplace.requests import SellerRequest
from tradein import selectors
from tradein.forms import BidForm
from tradein.services.lots import lot_bid
from tradein.states import LotStatus


@seller_member_required
def lots(request: SellerRequest) -> HttpResponse:
    seller = request.seller_membership.organisation
    rows = []
    for lot in selectors.lots_for_seller(seller=seller, now=timezone.now()):
        bids = list(lot.bids.all())
        rows.append(
            {
                "lot": lot,
                "devices": list(lot.devices.all()),
                "best": Money(max(bid.amount for bid in bids), lot.currency) if bids else None,
                "mine": next((bid for bid in bids if bid.seller_id == seller.pk), None),
                "bought": lot.status == LotStatus.SOLD,
            }
        )
    return render(request, "tradein/seller/lots.html", {"rows": rows, "form": BidForm()})


@require_POST
@seller_member_required
def bid(request: SellerRequest, pk: int) -> HttpResponse:
    seller = request.seller_membership.organisation
    lot = selectors.lot_get_for_seller(seller=seller, id=pk, now=timezone.now())
    form = BidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your bid as an amount."))
        return redirect("tradein_seller:lots")
    try:
        amount = Money.from_decimal(form.cleaned_data["price"], lot.currency)
        lot_bid(lot=lot, seller=seller, amount=amount, actor=Actor.for_user(request.user))
        messages.success(request, _("Bid recorded on lot %(id)s.") % {"id": lot.pk})
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("tradein_seller:lots")
