"""Mystery orders: a weighted draw, a real order paid by the platform that looks like any other to the seller,
findings per unit with private photos, findings in the score, the cost of audits, and out of GMV."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from marketplace.actors import Actor
from marketplace.models import Event
from orders.models import LedgerAccount, LedgerEntry, Order, OrderUnit
from orders.services.checkout import Contact
from sellers.models import AuditPhoto, MysteryAudit, PerformanceDay
from sellers.services.audits import (
    SampleWeights,
    UnitFinding,
    audit_findings_record,
    audit_order_place,
    audit_sample_draw,
)
from sellers.services.performance import sellers_score
from sellers.states import AuditStatus
from tests.factories import MembershipFactory, UserFactory
from tests.factories.catalog import make_listing
from tests.factories.orders import ship
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import delivered_units, jpeg

pytestmark = pytest.mark.django_db
DESK = Contact(
    email="c.durand@example.test",
    full_name="Claire Durand",
    address_line="8 rue des Essais",
    postal_code="75010",
    city="Paris",
    country="fr",
)
WEIGHTS = SampleWeights(size=1, weight_new=3, weight_low_score=4, weight_other=1, low_score_below=70)


@pytest.fixture
def auditor(manager):
    return Actor.for_user(manager)


def drawn_audit(auditor, **seller: object) -> MysteryAudit:
    the_seller = SellerFactory(**seller)
    make_listing(seller=the_seller.organisation, sku="PHONE-13-EXC", stock=3, price_amount=24900)
    sample = audit_sample_draw(actor=auditor, weights=WEIGHTS, seed=1)
    return sample.audits.get()


def test_the_draw_is_weighted_reproducible_and_skips_sellers_that_cannot_be_bought_from(auditor):
    new = SellerFactory(organisation__name="New")
    low = SellerFactory(organisation__name="Low", score=55)
    good = SellerFactory(organisation__name="Good", score=90)
    SellerFactory(organisation__name="Nothing to buy", score=30)  # no visible listing
    SellerFactory(organisation__name="Suspended", status="suspended")
    for seller in (new, low, good):
        make_listing(seller=seller.organisation, sku=f"S-{seller.pk}")

    sample = audit_sample_draw(
        actor=auditor,
        weights=SampleWeights(size=3, weight_new=3, weight_low_score=4, weight_other=0, low_score_below=70),
        seed=5,
    )

    drawn = {
        audit.seller.organisation.name: audit.group for audit in sample.audits.select_related("seller__organisation")
    }
    assert drawn == {"New": "new", "Low": "low_score"}  # weight 0 never drawn; the others cannot be bought from
    assert all(audit.listing is not None and audit.status == "drawn" for audit in sample.audits.all())
    # A seller with an audit in progress is not drawn again.
    again = audit_sample_draw(actor=auditor, weights=SampleWeights(3, 3, 4, 1, 70), seed=5)
    assert set(again.audits.values_list("seller__organisation__name", flat=True)) == {"Good"}


def test_the_mystery_order_is_a_real_order_paid_by_the_platform(auditor):
    audit = drawn_audit(auditor)

    audit = audit_order_place(audit=audit, actor=auditor, contact=DESK)

    order = audit.order
    assert audit.status == AuditStatus.ORDERED
    assert (order.is_audit, order.status, order.channel, order.total_amount) == (True, "paid", "storefront", 24900)
    assert order.payment.provider == "platform"
    seller_order = order.seller_orders.get()
    assert seller_order.status == "paid"
    assert seller_order.ship_by is not None
    # What audits cost is in the ledger (not cash), and the seller is owed its sale like any other.
    entries = dict(LedgerEntry.objects.filter(seller_order=seller_order).values_list("account", "amount"))
    assert entries[LedgerAccount.AUDIT_COST] == 24900
    assert LedgerAccount.CASH not in entries
    assert entries[LedgerAccount.SELLER_PENDING] == -(24900 - seller_order.commission_amount)


def test_to_the_seller_it_looks_like_any_other_order(client, key_client, auditor):
    audit = audit_order_place(audit=drawn_audit(auditor), actor=auditor, contact=DESK)
    seller = audit.seller
    client.force_login(MembershipFactory(organisation=seller.organisation).user)
    seller_order = audit.order.seller_orders.get()

    page = client.get(f"/seller/orders/{seller_order.pk}/").content.decode().lower()
    api = key_client(seller.organisation, ["orders:read"]).get(f"/api/v1/seller/orders/{seller_order.pk}/")
    event = Event.objects.get(type="order.paid", organisation=seller.organisation)

    assert "audit" not in page
    assert "mystery" not in page
    assert "claire durand" in page
    assert "audit" not in api.content.decode().lower()
    assert "audit" not in str(event.data).lower()


def test_findings_are_recorded_per_unit_with_private_photos_and_feed_the_score(client, auditor, manager, private_media):
    audit = audit_order_place(audit=drawn_audit(auditor), actor=auditor, contact=DESK)
    ship(audit.order.seller_orders.get(), first_imei=900)
    (unit,) = OrderUnit.objects.filter(line__seller_order__order=audit.order)

    audit = audit_findings_record(
        audit=audit,
        actor=auditor,
        findings={
            unit.pk: UnitFinding(
                grade_as_claimed=True,
                battery_as_stated=False,
                identifier_matches=True,
                wiped_and_unlocked=True,
                accessories_complete=True,
                measured_battery=79,
                notes="Battery at 79 % for an excellent unit (85 % promised).",
            )
        },
        photos={unit.pk: [jpeg("battery.jpg")]},
    )

    assert audit.status == AuditStatus.RECORDED
    assert audit.order.seller_orders.get().status == "delivered"  # it arrived at the audit desk
    finding = audit.findings.get()
    assert (finding.passed, finding.measured_battery) == (False, 79)
    photo = AuditPhoto.objects.get()
    assert photo.content_type == "image/jpeg"
    assert str(private_media) in photo.file.path
    # Served to success managers only, as an attachment.
    client.force_login(manager)
    response = client.get(f"/console/audits/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(MembershipFactory(organisation=audit.seller.organisation).user)
    assert client.get(f"/console/audits/photos/{photo.pk}/").status_code == 403
    # The next scoring run counts the audited unit and its failure.
    sellers_score(seller_ids=[audit.seller_id])
    row = PerformanceDay.objects.get(seller=audit.seller)
    assert (row.audited_units, row.audit_failures, row.units_delivered) == (1, 1, 1)


def test_a_photo_that_is_not_an_image_refuses_the_whole_record(auditor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace.errors import ApplicationError

    audit = audit_order_place(audit=drawn_audit(auditor), actor=auditor, contact=DESK)
    ship(audit.order.seller_orders.get(), first_imei=910)
    (unit,) = OrderUnit.objects.filter(line__seller_order__order=audit.order)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    with pytest.raises(ApplicationError) as error:
        audit_findings_record(
            audit=audit,
            actor=auditor,
            findings={unit.pk: UnitFinding(True, True, True, True, True)},
            photos={unit.pk: [fake]},
        )

    assert error.value.errors[0]["field"] == f"unit-{unit.pk}-photos"
    audit.refresh_from_db()
    assert (audit.status, audit.findings.count()) == (AuditStatus.ORDERED, 0)


def test_audit_orders_stay_out_of_gmv_and_their_cost_is_visible(client, manager, auditor):
    delivered_units(UserFactory(), quantity=2, price_amount=10000)  # a customer's order: GMV
    audit_order_place(audit=drawn_audit(auditor), actor=auditor, contact=DESK)

    gmv = Order.objects.excluding_audits().filter(status="paid").aggregate(total=Sum("total_amount"))["total"]
    client.force_login(manager)
    page = client.get("/console/audits/").content.decode()

    assert gmv == 20000
    assert Order.objects.filter(is_audit=True).count() == 1
    costs = page[page.index('data-testid="audit-costs"') :]
    assert "€249.00" in costs[: costs.index("</article>")]


def test_the_console_draws_orders_and_records_through_its_pages(client, manager, private_media):
    seller = SellerFactory(organisation__name="Drawn Refurb")
    make_listing(seller=seller.organisation, sku="CONSOLE-AUDIT", stock=2)
    client.force_login(manager)

    drawn = client.post(
        "/console/audits/",
        {"size": 1, "weight_new": 1, "weight_low_score": 1, "weight_other": 1, "low_score_below": 70},
    )
    audit = MysteryAudit.objects.get()
    ordered = client.post(
        f"/console/audits/{audit.pk}/order/",
        {
            "full_name": "Claire Durand",
            "email": "c@example.test",
            "address_line": "1 rue",
            "postal_code": "75001",
            "city": "Paris",
        },
    )
    audit.refresh_from_db()
    ship(audit.order.seller_orders.get(), first_imei=920)
    (unit,) = OrderUnit.objects.filter(line__seller_order__order=audit.order)
    prefix = f"unit-{unit.pk}"
    recorded = client.post(
        f"/console/audits/{audit.pk}/findings/",
        {
            f"{prefix}-grade_as_claimed": "on",
            f"{prefix}-battery_as_stated": "on",
            f"{prefix}-identifier_matches": "on",
            f"{prefix}-wiped_and_unlocked": "on",
            f"{prefix}-accessories_complete": "on",
            f"{prefix}-photos": [jpeg()],
        },
    )

    assert (drawn.status_code, ordered.status_code, recorded.status_code) == (302, 302, 302)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.RECORDED
    detail = client.get(f"/console/audits/{audit.pk}/").content.decode()
    assert 'data-testid="audit-findings"' in detail
    assert "photo 1" in detail


def test_audit_pages_are_for_success_managers_only(client):
    client.force_login(UserFactory())

    assert client.get("/console/audits/").status_code == 403
