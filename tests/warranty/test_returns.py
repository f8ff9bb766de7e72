"""Returns within 30 days: the table, opening with a label at once (and every refusal), the refund when
the seller marks it received or by itself 14 days after the label's delivery, cancellation, holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import Sum
from django.utils import timezone

from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Event
from marketplace.money import Money
from orders.models import LedgerEntry, LineHold, Refund
from orders.selectors import seller_balances
from orders.services.payment import order_mark_paid
from orders.states import SellerOrderStatus
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, contact, delivered, place
from tests.factories.warranty import delivered_units, open_claim
from warranty.models import Label, Return, Warranty
from warranty.notifications import send_return_opened, send_return_refunded
from warranty.selectors import return_with_relations
from warranty.services.claims import Claimant
from warranty.services.labels import carrier_scan_record
from warranty.services.returns import (
    return_cancel,
    return_open,
    return_receive,
    returns_refund_due,
    units_for_lines,
)
from warranty.states import RETURN_TRANSITIONS, ReturnStatus

pytestmark = pytest.mark.django_db


def _open(warranties, *, shopper=None, reason="changed_mind", now=None):
    seller_order = warranties[0].line.seller_order
    return return_open(
        seller_order=seller_order,
        units=[w.unit for w in warranties],
        reason=reason,
        buyer=Claimant(shopper=shopper or warranties[0].shopper),
        actor=SYSTEM,
        now=now,
    )


@pytest.mark.parametrize("source", ReturnStatus.values)
@pytest.mark.parametrize("target", ReturnStatus.values)
def test_the_return_transition_table(source, target):
    allowed = {("opened", "received"), ("opened", "refunded"), ("opened", "cancelled"), ("received", "refunded")}
    assert (target in RETURN_TRANSITIONS[source]) == ((source, target) in allowed)


def test_a_return_is_authorised_at_once_with_a_label_and_refunded_when_received(shopper):
    warranties = delivered_units(shopper, quantity=3, price_amount=15000)

    ret = _open(warranties[:2])

    assert (ret.status, ret.amount, ret.currency) == (ReturnStatus.OPENED, 30000, "EUR")
    label = Label.objects.get(ret=ret)
    assert label.recipient["name"]
    assert label.sender["name"] == "Alex Buyer"
    assert Event.objects.filter(type="return.opened").count() == 1
    assert LineHold.objects.get(source=f"return-{ret.pk}-{warranties[0].line_id}").units == 2

    ret = return_receive(ret=ret, actor=SYSTEM)

    assert ret.status == ReturnStatus.REFUNDED
    refund = Refund.objects.get(idempotency_key=f"refund-return-{ret.pk}")
    assert (refund.amount, ret.refund_id) == (30000, refund.pk)
    assert Event.objects.filter(type="return.refunded").get().data["refund"]["amount"]["amount"] == 30000
    # The returned units' warranties end; the third unit keeps its own.
    assert Warranty.objects.filter(refunded_at__isnull=False).count() == 2
    assert LineHold.objects.filter(released_at__isnull=True).count() == 0
    seller_order = warranties[0].line.seller_order
    seller_order.refresh_from_db()
    assert seller_order.status == SellerOrderStatus.DELIVERED  # a third unit stays with the buyer
    with pytest.raises(ApplicationError) as error:
        return_receive(ret=ret, actor=SYSTEM)
    assert error.value.code == ErrorCode.INVALID_TRANSITION
    assert error.value.extra["allowed"] == []


def test_returning_the_whole_parcel_refunds_the_seller_order(shopper):
    warranties = delivered_units(shopper, quantity=2)
    ret = return_receive(ret=_open(warranties), actor=SYSTEM)

    ret.seller_order.refresh_from_db()
    assert ret.seller_order.status == SellerOrderStatus.REFUNDED
    balance = seller_balances(seller=warranties[0].seller)[0]
    assert (balance.pending.amount, balance.held.amount) == (0, 0)
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0


def test_a_return_after_thirty_days_is_refused_with_the_date_it_ended(shopper):
    warranties = delivered_units(shopper)
    seller_order = warranties[0].line.seller_order
    ends = seller_order.return_window_ends_at

    with pytest.raises(ApplicationError) as error:
        _open(warranties, now=ends + timedelta(minutes=1))

    assert error.value.code == ErrorCode.RETURN_WINDOW_CLOSED
    assert error.value.status == 422
    assert error.value.extra["return_window_ended_at"] == ends.isoformat()
    assert str(ends.year) in error.value.message
    assert Return.objects.count() == 0
    assert _open(warranties, now=ends - timedelta(minutes=1)).status == ReturnStatus.OPENED


def test_a_unit_returned_or_under_claim_cannot_be_returned_again(shopper):
    warranties = delivered_units(shopper, quantity=2)
    _open(warranties[:1])
    open_claim(warranties[1])

    for units in (warranties[:1], warranties[1:]):
        with pytest.raises(ApplicationError) as error:
            _open(units)
        assert error.value.code == ErrorCode.NOTHING_TO_RETURN
        assert error.value.errors[0]["field"] == "units"
    assert Return.objects.count() == 1
    # And a unit being returned cannot be claimed.
    with pytest.raises(ApplicationError) as error:
        open_claim(warranties[0])
    assert error.value.code == ErrorCode.NOTHING_TO_RETURN


def test_a_parcel_not_delivered_cannot_be_returned(shopper):
    from tests.factories.catalog import make_listing
    from tests.factories.orders import paid, ship

    seller_order = paid((make_listing(stock=1), 1), buyer=shopper).seller_orders.get()
    ship(seller_order)

    with pytest.raises(ApplicationError) as error:
        return_open(
            seller_order=seller_order,
            units=list(seller_order.lines.get().units.all()),
            reason="changed_mind",
            buyer=Claimant(shopper=shopper),
            actor=SYSTEM,
        )
    assert error.value.code == ErrorCode.UNIT_NOT_DELIVERED


def test_units_for_lines_names_the_row_in_its_errors(shopper):
    warranties = delivered_units(shopper, quantity=2)
    seller_order = warranties[0].line.seller_order
    line = warranties[0].line_id

    assert [u.pk for u in units_for_lines(seller_order=seller_order, lines=[(line, 2)])] == [
        w.unit_id for w in warranties
    ]
    with pytest.raises(ApplicationError) as error:
        units_for_lines(seller_order=seller_order, lines=[(line, 3)])
    assert error.value.errors == [
        {"field": "lines[0].quantity", "message": "Only 2 unit(s) of this line can be returned."}
    ]
    with pytest.raises(ApplicationError) as error:
        units_for_lines(seller_order=seller_order, lines=[(999999, 1)])
    assert error.value.errors[0]["field"] == "lines[0].order_line"


def test_a_return_the_seller_ignores_is_refunded_fourteen_days_after_the_labels_delivery(shopper):
    ret = _open(delivered_units(shopper))
    assert returns_refund_due(now=timezone.now() + timedelta(days=60)) == 0  # no delivery scan yet
    delivered_at = timezone.now() + timedelta(days=2)
    carrier_scan_record(
        tracking_number=ret.label.tracking_number,
        status="delivered",
        occurred_at=delivered_at,
        event_id="scan-1",
        source="carrier",
        actor=SYSTEM,
    )
    ret.refresh_from_db()
    assert ret.refund_due_at == delivered_at + timedelta(days=14)

    assert returns_refund_due(now=delivered_at + timedelta(days=13)) == 0
    assert returns_refund_due(now=delivered_at + timedelta(days=14, minutes=1)) == 1
    assert returns_refund_due(now=delivered_at + timedelta(days=15)) == 0

    ret.refresh_from_db()
    assert (ret.status, ret.refunded_automatically) == (ReturnStatus.REFUNDED, True)
    assert Refund.objects.filter(idempotency_key=f"refund-return-{ret.pk}").count() == 1


def test_a_cancelled_return_frees_its_units_and_money(shopper):
    warranties = delivered_units(shopper)
    ret = return_cancel(ret=_open(warranties), actor=SYSTEM)

    assert ret.status == ReturnStatus.CANCELLED
    assert LineHold.objects.filter(released_at__isnull=True).count() == 0
    assert _open(warranties).status == ReturnStatus.OPENED  # the unit may go back again


def test_a_us_return_gives_back_the_sales_tax_on_the_goods_and_says_so_before_and_after(shopper):
    listing = make_listing(market="us", price_amount=20000, stock=2)
    order = place((listing, 2), buyer=shopper, contact=contact("us", state="NY"))  # 4 %: 16.00 of tax
    order = order_mark_paid(order=order, actor=SYSTEM, amount_received=order.total, reference="test")
    delivered(order.seller_orders.get())
    warranties = list(Warranty.objects.filter(line__seller_order__order=order).order_by("pk"))

    ret = return_with_relations(_open(warranties[:1]).pk)
    assert ret.money == Money(20000, "USD")  # the seller's goods
    assert ret.shopper_money == Money(20800, "USD")  # what the buyer will get back
    mail.outbox.clear()
    send_return_opened(ret)
    assert "You will be refunded $208.00" in mail.outbox[0].body

    ret = return_with_relations(return_receive(ret=ret, actor=SYSTEM).pk)
    assert (ret.refund.amount, ret.refund.sales_tax_amount) == (20800, 800)
    assert ret.shopper_money == Money(20800, "USD")
    mail.outbox.clear()
    send_return_refunded(ret)
    assert "We refunded $208.00" in mail.outbox[0].body
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == 0
