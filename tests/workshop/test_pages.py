"""The workshop's pages: the board (filters, htmx, overdue in red, query count pinned), the unit page and its
forms, the listing step, import, reports, settings, the console and the shopper's record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from tests.factories import MembershipFactory
from tests.factories.catalog import VariantFactory
from tests.factories.orders import imei
from tests.factories.warranty import jpeg
from tests.factories.workshop import SYSTEM, all_passed, listed_unit, ready_unit, received_unit
from workshop.models import Technician, Unit, WorkshopSettings
from workshop.services.assignment import unit_assign
from workshop.services.setup import technician_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, seller_owner):
    client.force_login(seller_owner)
    return client


def _board(seller, count: int) -> list[Unit]:
    """`count` received units, every other one assigned to a partner workshop, the first one overdue."""
    units = [received_unit(seller, n=n) for n in range(count)]  # nobody to assign them to yet
    technician = technician_save(
        seller=seller, actor=SYSTEM, kind="partner_workshop", name="Atelier", capacity_per_day=100
    )
    for unit in units[1::2]:
        unit_assign(unit=unit, actor=SYSTEM, technician=technician)
    Unit.objects.filter(pk=units[0].pk).update(due_at=timezone.now() - timedelta(days=2))
    return units


def test_the_board_shows_columns_overdue_in_red(owner_client, seller_org):
    units = _board(seller_org, 3)

    page = owner_client.get("/seller/workshop/").content.decode()

    assert 'data-status="received"' in page
    assert 'data-status="listed"' in page
    assert page.count('data-testid="unit-card"') == 3
    assert page.count('class="unit-card overdue"') == 1
    assert "Overdue by" in page
    assert units[0].reference in page


def queries_beyond_the_session(client, url: str) -> tuple[int, list[str]]:
    """The queries a page makes, not counting the session's read (a cached session skips it, and the test
    Redis may be flushed by a neighbouring run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    sql = [query["sql"] for query in captured.captured_queries if '"django_session"' not in query["sql"]]
    return len(sql), sql


@pytest.mark.parametrize("count", [3, 12])
def test_the_boards_query_count_does_not_grow_with_its_units(owner_client, seller_org, count):
    _board(seller_org, count)

    # The membership, the technicians and their categories, the counts, the units, the organisations menu
    # (the user comes from the cache).
    number, sql = queries_beyond_the_session(owner_client, "/seller/workshop/?overdue=on&technician=&age=")

    assert number == 6, "\n".join(sql)


def test_the_board_filters_in_place_with_htmx(owner_client, seller_org):
    units = _board(seller_org, 4)
    technician = Technician.objects.get(seller=seller_org)

    partial = owner_client.get(f"/seller/workshop/?technician={technician.pk}", HTTP_HX_REQUEST="true")
    unassigned = owner_client.get("/seller/workshop/?technician=0").content.decode()
    overdue = owner_client.get("/seller/workshop/?overdue=on").content.decode()
    found = owner_client.get(f"/seller/workshop/?q={units[2].identifier[-6:]}").content.decode()

    assert "<html" not in partial.content.decode()
    assert partial.content.decode().count('data-testid="unit-card"') == 2
    assert unassigned.count('data-testid="unit-card"') == 2
    assert overdue.count('data-testid="unit-card"') == 1
    assert found.count('data-testid="unit-card"') == 1


def test_age_filter(owner_client, seller_org):
    old, new = received_unit(seller_org, n=1), received_unit(seller_org, n=2)
    Unit.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=8))

    page = owner_client.get("/seller/workshop/?age=7").content.decode()

    assert old.reference in page
    assert new.reference not in page


def test_take_a_unit_in_through_the_page(owner_client, seller_org):
    variant = VariantFactory()

    refused = owner_client.post(
        "/seller/workshop/units/new/",
        {"identifier": "356938035643808", "variant": variant.pk, "source": "purchase", "cost": "10"},
    )
    created = owner_client.post(
        "/seller/workshop/units/new/",
        {"identifier": imei(1), "variant": variant.pk, "source": "purchase", "cost": "120.50"},
    )

    assert refused.status_code == 400
    assert "not a valid IMEI" in refused.content.decode()
    unit = Unit.objects.get(seller=seller_org)
    assert created["Location"] == f"/seller/workshop/units/{unit.pk}/"
    assert unit.purchase_amount == 12050


def test_the_unit_page_records_the_work_and_the_check(owner_client, seller_org, private_media):
    unit = received_unit(seller_org)
    url = f"/seller/workshop/units/{unit.pk}/"

    assert 'data-testid="diagnose-form"' in owner_client.get(url).content.decode()
    owner_client.post(url + "diagnose/", {"findings": "Cracked screen", "labour_minutes": "10", "photos": [jpeg()]})
    assert 'data-testid="repair-form"' in owner_client.get(url).content.decode()
    owner_client.post(
        url + "repair/",
        {
            "findings": "Screen replaced",
            "labour_minutes": "30",
            "part_0_name": "OLED",
            "part_0_supplier": "Parts Co",
            "part_0_origin": "original",
            "part_0_cost": "45.90",
        },
    )
    owner_client.post(url + "move/", {"to": "quality_check"})
    check = {f"item_{code}": "on" for code, passed in all_passed(unit).items() if passed}
    owner_client.post(url + "check/", {**check, "screen": "flawless", "body": "flawless", "battery_health": "95"})

    unit.refresh_from_db()
    assert (unit.status, unit.suggested_grade_id, unit.parts_amount) == ("ready", "premium", 4590)
    page = owner_client.get(url).content.decode()
    assert 'data-testid="list-unit"' in page
    assert "€45.90" in page
    photo = unit.photos.get()
    download = owner_client.get(f"{url}photos/{photo.pk}/")
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment")


def test_a_failed_check_sends_the_unit_back_to_repair(owner_client, seller_org):
    unit = received_unit(seller_org)
    url = f"/seller/workshop/units/{unit.pk}/"
    owner_client.post(url + "diagnose/", {"findings": "ok"})
    owner_client.post(url + "move/", {"to": "quality_check"})

    response = owner_client.post(url + "check/", {"screen": "flawless", "body": "flawless", "battery_health": "95"})

    assert response.status_code == 302
    assert Unit.objects.get(pk=unit.pk).status == "in_repair"


@pytest.mark.parametrize("steps", [1, 4])
def test_the_unit_pages_query_count_does_not_grow_with_its_history(owner_client, seller_org, steps):
    from workshop.services.work import PartInput, unit_repair

    unit = received_unit(seller_org)
    from workshop.services.work import unit_diagnose

    unit_diagnose(unit=unit, actor=SYSTEM, findings="Screen")
    for step in range(steps):
        unit_repair(
            unit=unit,
            actor=SYSTEM,
            findings=f"Step {step}",
            labour_minutes=5,
            parts=[PartInput(name="Part", cost_amount=100)],
        )

    number, sql = queries_beyond_the_session(owner_client, f"/seller/workshop/units/{unit.pk}/")

    assert number == 19, "\n".join(sql)


def test_the_listing_step_is_filled_from_the_unit(owner_client, seller_org):
    unit = ready_unit(seller_org, battery_health=88)
    url = f"/seller/workshop/units/{unit.pk}/listing/"

    page = owner_client.get(url).content.decode()
    response = owner_client.post(
        url, {"market": "fr", "grade": "good", "price": "389.00", "warranty_months": "12", "sku": ""}
    )

    assert 'value="excellent" selected' in page
    assert '<option value="premium"' not in page  # never higher than suggested
    assert response.status_code == 302
    listing = Listing.objects.get(seller=seller_org)
    assert (listing.grade_id, listing.price_amount, listing.battery_health) == ("good", 38900, 88)
    assert Unit.objects.get(pk=unit.pk).status == "listed"


def test_the_import_page_names_the_bad_rows(owner_client, seller_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    variant = VariantFactory()
    data = f"identifier,variant,cost\n{imei(1)},{variant.pk},10\n356938035643808,{variant.pk},10\n".encode()

    response = owner_client.post(
        "/seller/workshop/import/", {"file": SimpleUploadedFile("units.csv", data, content_type="text/csv")}
    )

    assert response.status_code == 400
    assert "Row 3, column identifier" in response.content.decode()
    assert not Unit.objects.exists()


def test_the_reports(owner_client, seller_org):
    unit, _listing = listed_unit(seller_org)
    Unit.objects.filter(pk=unit.pk).update(received_at=timezone.now() - timedelta(days=4))
    received_unit(seller_org, n=2)

    page = owner_client.get("/seller/workshop/reports/").content.decode()

    assert "<svg" in page
    assert 'data-testid="turnaround-category"' in page
    assert "<td>4.0</td>" in page
    assert "<td>50 %</td>" in page


def test_only_owners_change_the_figures(client, seller_org, seller_owner):
    staff = MembershipFactory(organisation=seller_org, role="staff").user
    client.force_login(staff)
    assert (
        client.post(
            "/seller/workshop/settings/", {"labour_rate": "50", "target_margin_percent": "20", "warranty_months": "12"}
        ).status_code
        == 403
    )

    client.force_login(seller_owner)
    client.post(
        "/seller/workshop/settings/", {"labour_rate": "50", "target_margin_percent": "20", "warranty_months": "24"}
    )
    client.post(
        "/seller/workshop/settings/technicians/",
        {"kind": "partner_workshop", "name": "FixIt", "capacity_per_day": "4", "active": "on"},
    )

    row = WorkshopSettings.objects.get(seller=seller_org)
    assert (row.labour_rate_amount, row.target_margin_percent, row.warranty_months) == (5000, 20, 24)
    assert Technician.objects.get(seller=seller_org).name == "FixIt"


def test_the_console_shows_a_devices_life_and_the_flags(client, seller_org, other_seller_org):
    from django.conf import settings
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory
    from workshop.services.units import unit_create

    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=settings.SUCCESS_MANAGERS_GROUP))
    unit = received_unit(seller_org)
    unit_create(seller=other_seller_org, actor=SYSTEM, identifier=unit.identifier, variant=unit.variant)
    client.force_login(manager)

    flags = client.get("/console/workshop/").content.decode()
    life = client.get(f"/console/workshop/identifier/?identifier={unit.identifier}").content.decode()

    assert unit.identifier in flags
    assert other_seller_org.name in flags
    assert seller_org.name in life
    assert other_seller_org.name in life


def test_a_shopper_reads_the_record_of_their_unit_only(client, shopper, seller_org):
    from orders.services.fulfilment import seller_order_accept, seller_order_mark_delivered, seller_order_ship
    from tests.factories import UserFactory
    from tests.factories.orders import paid
    from warranty.models import Warranty

    unit, listing = listed_unit(seller_org)
    seller_order = paid((listing, 1), buyer=shopper).seller_orders.get()
    seller_order_accept(seller_order=seller_order, actor=SYSTEM)
    seller_order_ship(
        seller_order=seller_order,
        actor=SYSTEM,
        carrier="DHL",
        tracking_number="T1",
        units={seller_order.lines.get().pk: [unit.identifier]},
    )
    seller_order_mark_delivered(seller_order=seller_order, actor=SYSTEM)
    warranty = Warranty.objects.get(line__seller_order=seller_order)
    client.force_login(shopper)

    warranties = client.get("/account/warranties/").content.decode()
    record = client.get(f"/account/warranties/{warranty.pk}/refurbishment/").content.decode()

    assert f"/account/warranties/{warranty.pk}/refurbishment/" in warranties
    assert "Quality check passed" in record
    assert "Screen" in record  # the part fitted
    assert "PartsCo" not in record  # not the seller's supplier
    assert "€" not in record  # nor its costs
    client.force_login(UserFactory())
    assert client.get(f"/account/warranties/{warranty.pk}/refurbishment/").status_code == 404
