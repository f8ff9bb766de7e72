"""A shopper downloads their data and erases their account: no trace of them left in any text column,
while orders, payments, the ledger and warranties stay, anonymised."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from marketplace.actors import Actor
from marketplace.models import AuditEvent, Membership, User
from marketplace.privacy import personal_data, user_erase
from orders.models import LedgerEntry, Order, OrderUnit, Payment
from orders.services.checkout import Contact, PlacementLine, order_place
from orders.services.fulfilment import seller_order_mark_delivered
from orders.services.payment import order_mark_paid
from sellers.models import Invitation
from sellers.services.team import invitation_create
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import SYSTEM, delivered, imei, ship
from tests.factories.sellers import SellerFactory
from tests.factories.tradein import quote
from tests.factories.warranty import jpeg, open_claim
from tradein.models import SepaBatch, TradeIn
from tradein.services.payouts import sepa_batch_create, sepa_batch_mark_sent
from tradein.services.quotes import Contact as TradeInContact
from tradein.services.quotes import PayoutChoice, tradein_quote_accept
from tradein.services.warehouse import InspectionInput, tradein_inspect, tradein_receive
from warranty.models import ClaimPhoto, Review, Warranty
from warranty.services.claims import Claimant, claim_message_post
from warranty.services.returns import return_open
from warranty.services.reviews import review_submit

pytestmark = pytest.mark.django_db

EMAIL = "zephyrine.quackenbush@example.test"
NAME = "Zephyrine Quackenbush"
PHONE = "+33 6 98 76 54 32"
ADDRESS = "17 Impasse des Quenouilles"
CITY = "Quimperlé-sur-Mer"
IBAN = "FR7630006000011234567890189"
FIRST_NAME = "Zephyrine"


def shopper_with_a_history() -> tuple[User, Order, SepaBatch]:
    shopper = UserFactory(email=EMAIL, full_name=NAME)
    listing = make_listing(stock=3)
    order = order_place(
        actor=Actor.for_user(shopper),
        market=listing.market,
        lines=[PlacementLine(listing.pk, 1)],
        contact=Contact(
            email=EMAIL, full_name=NAME, phone=PHONE, address_line=ADDRESS, postal_code="29350", city=CITY, country="fr"
        ),
        buyer=shopper,
    )
    order = order_mark_paid(order=order, actor=SYSTEM, amount_received=order.total, reference=order.payment.reference)
    delivered(order.seller_orders.get())
    # After-sales: a claim with a photo and a message that gives their phone, a return of a second
    # parcel (its label carries their address), a review.
    warranty = Warranty.objects.get(line__seller_order__order=order)
    claim = open_claim(warranty, description=f"{NAME} here: the screen flickers.", photos=[jpeg()])
    claim_message_post(claim=claim, role="shopper", actor=Actor.for_user(shopper), body=f"Call me: {PHONE}")
    second = order_place(
        actor=Actor.for_user(shopper),
        market=listing.market,
        lines=[PlacementLine(listing.pk, 1)],
        contact=Contact(
            email=EMAIL, full_name=NAME, phone=PHONE, address_line=ADDRESS, postal_code="29350", city=CITY, country="fr"
        ),
        buyer=shopper,
    )
    second = order_mark_paid(
        order=second, actor=SYSTEM, amount_received=second.total, reference=second.payment.reference
    )
    second_parcel = ship(second.seller_orders.get(), first_imei=50)
    second_parcel = seller_order_mark_delivered(seller_order=second_parcel, actor=SYSTEM)
    return_open(
        seller_order=second_parcel,
        units=list(OrderUnit.objects.filter(line__seller_order=second_parcel)),
        reason="changed_mind",
        buyer=Claimant(shopper=shopper),
        actor=Actor.for_user(shopper),
    )
    review_submit(
        line=order.seller_orders.get().lines.get(),
        shopper=shopper,
        seller_stars=5,
        unit_stars=4,
        text="Works like new.",
        actor=Actor.for_user(shopper),
    )
    # They also work for a refurbisher (contact person) and were invited to another one.
    seller = SellerFactory(contact_email=EMAIL, contact_name=NAME, contact_phone=PHONE)
    MembershipFactory(organisation=seller.organisation, user=shopper, role="owner")
    invitation_create(
        organisation=SellerFactory().organisation, email=EMAIL, role="staff", actor=Actor.for_user(UserFactory())
    )
    # They sold an old phone, paid by bank transfer: their IBAN went into a SEPA file for the bank.
    tradein = quote()
    tradein_quote_accept(
        tradein=tradein,
        actor=Actor.for_user(shopper),
        contact=TradeInContact(
            full_name=NAME, email=EMAIL, phone=PHONE, address_line=ADDRESS, postal_code="29350", city=CITY, country="fr"
        ),
        payout=PayoutChoice(method="bank_transfer", iban=IBAN),
        owner=shopper,
    )
    tradein = tradein_receive(tradein=TradeIn.objects.get(pk=tradein.pk), actor=SYSTEM)
    tradein_inspect(
        tradein=tradein,
        actor=SYSTEM,
        data=InspectionInput(answers=tradein.answers, identifier=imei(777), activation_lock=False, battery_health=92),
    )
    batch = sepa_batch_create(actor=SYSTEM)
    assert batch is not None
    return shopper, order, batch


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'character', 'jsonb', 'json')
            ORDER BY table_name, column_name
            """
        )
        return cursor.fetchall()


def traces(*values: str) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text column of the database that still holds one of `values`."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for value in values:
                cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1', [f"%{value}%"])  # noqa: S608
                if cursor.fetchone():
                    found.append((table, column, value))
    return found


def test_the_download_holds_the_persons_data(client):
    shopper, order, _batch = shopper_with_a_history()
    client.force_login(shopper)

    response = client.get("/account/data.json")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="encore-my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == EMAIL
    assert data["orders"]["orders"][0]["number"] == order.number
    assert data["orders"]["orders"][0]["delivery"]["address_line"] == ADDRESS
    assert data["sellers"]["seller_contact_for"][0]["contact_phone"] == PHONE
    assert data["tradein"]["tradeins"][0]["iban"] == IBAN
    assert data["warranty"]["claims"][0]["messages"][-1]["text"] == f"Call me: {PHONE}"
    assert data["warranty"]["reviews"][0]["text"] == "Works like new."
    assert set(personal_data.app_labels) <= set(data)  # every app that stores personal data answers


def test_erasure_leaves_no_trace_in_any_text_column_and_keeps_the_records_the_law_needs(client):
    shopper, order, batch = shopper_with_a_history()
    assert traces(EMAIL, NAME, FIRST_NAME, PHONE, ADDRESS, CITY, IBAN)  # the scan does find them before
    client.force_login(shopper)

    refused = client.post("/account/erase/", {"password": "not-my-password"})
    assert refused.status_code == 400
    assert "This is not your password." in refused.content.decode()
    assert User.objects.get(pk=shopper.pk).email == EMAIL

    # Money on its way to their bank: Encore pays first, then erases.
    waiting = client.post("/account/erase/", {"password": PASSWORD})
    assert waiting.status_code == 409
    assert "on its way" in waiting.content.decode()
    assert User.objects.get(pk=shopper.pk).email == EMAIL
    sepa_batch_mark_sent(batch=batch, actor=SYSTEM)
    ledger_rows, warranties = LedgerEntry.objects.count(), Warranty.objects.count()

    response = client.post("/account/erase/", {"password": PASSWORD})

    assert response.status_code == 302
    assert traces(EMAIL, NAME, FIRST_NAME, PHONE, ADDRESS, CITY, IBAN) == []
    erased = User.objects.get(pk=shopper.pk)
    assert (erased.is_active, erased.has_usable_password()) == (False, False)
    assert not Membership.objects.filter(user=erased).exists()
    assert not Invitation.objects.filter(email=EMAIL).exists()
    # Orders, payments, the ledger and warranties stay, tied to the anonymised account.
    kept = Order.objects.get(pk=order.pk)
    assert (kept.buyer_id, kept.total_amount, kept.status) == (shopper.pk, order.total_amount, order.status)
    assert Payment.objects.filter(order=kept).exists()
    assert (LedgerEntry.objects.count(), Warranty.objects.count()) == (ledger_rows, warranties)
    assert AuditEvent.objects.filter(object_id=str(shopper.pk), to_status="erased").exists()
    assert TradeIn.objects.get(owner=erased).iban == "FR76…0189"  # which account was paid, not the account
    # The review stays, anonymised; the photos are gone, files included.
    assert Review.objects.get(shopper=erased).author_name == "A customer"
    assert not ClaimPhoto.objects.exists()
    # Logged out, and the old password opens nothing.
    assert client.get("/account/").status_code == 302
    assert not client.login(username=EMAIL, password=PASSWORD)


def test_erasing_twice_changes_nothing_more():
    shopper, _order, batch = shopper_with_a_history()
    sepa_batch_mark_sent(batch=batch, actor=SYSTEM)
    user_erase(user=shopper, actor=SYSTEM)
    first = User.objects.values().get(pk=shopper.pk)

    user_erase(user=shopper, actor=SYSTEM)

    assert User.objects.values().get(pk=shopper.pk) | {"password": ""} == first | {"password": ""}
