"""Tenant isolation: every seller page and seller API endpoint, found from the URL conf.

For each route: anonymous (login / 401), another seller's member (foreign objects are 404 with no
side effect, lists show no foreign rows), a member without the owner role (403 on owner-only
actions), and the owner. A new seller route without a case here fails `test_every_seller_route_has_a_case`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from catalog.models import Listing, ListingPhoto
from catalog.services.images import listing_photo_add
from marketplace.actors import Actor
from marketplace.models import ApiKey, Membership
from orders.models import SellerOrder
from sellers.models import SellerDocument
from tests.factories import MembershipFactory, api_key_for
from tests.factories.catalog import make_listing
from tests.factories.orders import paid
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import png
from tests.sellers.conftest import pdf
from tradein.models import Lot

pytestmark = pytest.mark.django_db


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            found += _routes(pattern, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            found.append((route, name))
    return found


def seller_routes() -> list[tuple[str, str]]:
    return sorted(
        (route, name) for route, name in _routes(get_resolver()) if route.startswith(("seller/", "api/v1/seller/"))
    )


@dataclass
class World:
    owner_a: object
    staff_a: object
    owner_b: object
    objects: dict[str, int]


@pytest.fixture
def world(private_media, tmp_path, settings) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"  # the listing's photo is public media
    seller_a, seller_b = SellerFactory(), SellerFactory()
    owner_a = MembershipFactory(organisation=seller_a.organisation, role="owner").user
    staff = MembershipFactory(organisation=seller_a.organisation, role="staff")
    owner_b = MembershipFactory(organisation=seller_b.organisation, role="owner").user
    listing = make_listing(seller=seller_a.organisation, sku="A-SECRET-SKU")
    make_listing(seller=seller_b.organisation, sku="B-OWN-SKU")
    listing_photo = listing_photo_add(listing=listing, upload=png(), actor=Actor.system("tests"))
    api_key, _ = api_key_for(seller_a.organisation, ["listings:write"])
    document = SellerDocument.objects.create(
        seller=seller_a, file=pdf(), original_name="a.pdf", content_type="application/pdf", size=10
    )
    order = paid((listing, 1))
    seller_order = order.seller_orders.get()
    # A trade-in lot seller A bought: another seller must not see it (open lots are everyone's).
    lot = Lot.objects.create(
        product=listing.variant.product,
        condition="good",
        currency="EUR",
        status="sold",
        buyer=seller_a.organisation,
        price_amount=10000,
        closes_at=timezone.now(),
    )
    after_sales = _after_sales(seller_a.organisation)
    workshop = _workshop(seller_a.organisation, owner_a)
    return World(
        owner_a=owner_a,
        staff_a=staff.user,
        owner_b=owner_b,
        objects={
            "listing": listing.pk,
            "listing_photo": listing_photo.pk,
            "api_key": api_key.pk,
            "membership": staff.pk,
            "document": document.pk,
            "seller_order": seller_order.pk,
            "lot": lot.pk,
            **after_sales,
            **workshop,
        },
    )


def _after_sales(seller) -> dict[str, int]:
    """Seller A's after-sales: a claim on one unit, a return of the other, a review of the line."""
    from tests.factories import UserFactory
    from tests.factories.orders import SYSTEM, delivered
    from tests.factories.warranty import jpeg
    from warranty.models import Warranty
    from warranty.services.claims import Claimant, claim_open
    from warranty.services.returns import return_open
    from warranty.services.reviews import review_submit

    buyer = UserFactory()
    sold = paid((make_listing(seller=seller, sku="A-AFTER-SALES", stock=2), 2), buyer=buyer).seller_orders.get()
    delivered(sold)
    first, second = Warranty.objects.filter(line__seller_order=sold).order_by("pk")
    claim = claim_open(
        line=first.line,
        identifier=first.identifier,
        claimant=Claimant(shopper=buyer),
        category="technical_defect",
        description="It restarts every few minutes.",
        photos=[jpeg()],
        actor=SYSTEM,
    )
    ret = return_open(
        seller_order=sold, units=[second.unit], reason="changed_mind", buyer=Claimant(shopper=buyer), actor=SYSTEM
    )
    review = review_submit(line=first.line, shopper=buyer, seller_stars=4, unit_stars=4, text="Fine.", actor=SYSTEM)
    photo = claim.messages.get().photos.first()
    return {"claim": claim.pk, "return": ret.pk, "review": review.pk, "photo": photo.pk if photo else 0}


def _workshop(seller, owner) -> dict[str, int]:
    """Seller A's workshop: a unit diagnosed with a photo, and a technician."""
    from tests.factories.warranty import jpeg
    from tests.factories.workshop import received_unit
    from workshop.services.setup import technician_save
    from workshop.services.work import unit_diagnose

    technician = technician_save(
        seller=seller, actor=Actor.system("tests"), kind="technician", user=owner, capacity_per_day=5
    )
    unit = received_unit(seller, n=1)
    unit_diagnose(unit=unit, actor=Actor.system("tests"), findings="A-SECRET-FINDING", photos=[jpeg()])
    return {"unit": unit.pk, "unit_photo": unit.photos.get().pk, "technician": technician.pk}


# route name -> (object kind for <pk>, extra kwargs, owner only)
CASES: dict[str, tuple[str | None, dict[str, str], bool]] = {
    "seller:dashboard": (None, {}, False),
    "reporting_seller:dashboard": (None, {}, False),
    "seller:apply": (None, {}, False),
    "seller:listings": (None, {}, False),
    "seller:listing_create": (None, {}, False),
    "seller:listing_bulk": (None, {}, False),
    "seller:listing_import": (None, {}, False),
    "seller:listing_export": (None, {}, False),
    "seller:listing_template": (None, {}, False),
    "seller:variant_picker": (None, {}, False),
    "seller:price_hint": (None, {}, False),
    "seller:listing_edit": ("listing", {}, False),
    "seller:listing_photos": ("listing", {}, False),
    "seller:listing_photo_delete": ("listing", {"photo": "@listing_photo"}, False),
    "seller:listing_inline": ("listing", {}, False),
    "seller:listing_status": ("listing", {}, False),
    "seller:api_keys": (None, {}, False),
    "seller:api_key_revoke": ("api_key", {}, True),
    "seller:team": (None, {}, False),
    "seller:team_remove": ("membership", {}, True),
    "seller:document": ("document", {}, False),
    "seller:performance": (None, {}, False),
    "seller_orders:list": (None, {}, False),
    "seller_orders:payouts": (None, {}, False),
    "seller_orders:connect_start": (None, {}, True),
    "seller_orders:connect_return": (None, {}, False),
    "seller_orders:connect_refresh": (None, {}, True),
    "seller_orders:detail": ("seller_order", {}, False),
    "seller_orders:packing_slip": ("seller_order", {}, False),
    "seller_orders:action": ("seller_order", {"action": "accept"}, False),
    "workshop:board": (None, {}, False),
    "workshop:variant_picker": (None, {}, False),
    "workshop:unit_new": (None, {}, False),
    "workshop:unit": ("unit", {}, False),
    "workshop:unit_listing": ("unit", {}, False),
    "workshop:unit_photo": ("unit", {"photo": "@unit_photo"}, False),
    "workshop:unit_action": ("unit", {"action": "move"}, False),
    "workshop:import": (None, {}, False),
    "workshop:import_template": (None, {}, False),
    "workshop:reports": (None, {}, False),
    "workshop:settings": (None, {}, True),
    "workshop:technician_add": (None, {}, True),
    "workshop:technician": ("technician", {}, True),
    "api-seller-units": (None, {}, False),
    "api-seller-units-import": (None, {}, False),
    "api-seller-unit": ("unit", {}, False),
    "api-seller-unit-transition": ("unit", {}, False),
    "api-seller-unit-quality-check": ("unit", {}, False),
    "api-seller-unit-listing": ("unit", {}, False),
    "api-seller-unit-photo": ("unit", {"photo_id": "@unit_photo"}, False),
    "api-seller-listings": (None, {}, False),
    "api-seller-listings-import": (None, {}, False),
    "api-seller-listing": ("listing", {}, False),
    "api-seller-performance": (None, {}, False),
    "api-seller-orders": (None, {}, False),
    "api-seller-order": ("seller_order", {}, False),
    "api-seller-order-accept": ("seller_order", {}, False),
    "api-seller-order-ship": ("seller_order", {}, False),
    "api-seller-order-deliver": ("seller_order", {}, False),
    "tradein_seller:lots": (None, {}, False),
    "tradein_seller:bid": ("lot", {}, False),
    "api-seller-tradein-lots": (None, {}, False),
    "api-seller-tradein-lot-bids": ("lot", {}, False),
    "seller_warranty:claims": (None, {}, False),
    "seller_warranty:claim": ("claim", {}, False),
    "seller_warranty:claim_photo": ("claim", {"photo": "@photo"}, False),
    "seller_warranty:claim_action": ("claim", {"action": "message"}, False),
    "seller_warranty:returns": (None, {}, False),
    "seller_warranty:return": ("return", {}, False),
    "seller_warranty:return_receive": ("return", {}, False),
    "seller_warranty:reviews": (None, {}, False),
    "seller_warranty:review_reply": ("review", {}, False),
    "seller_warranty:review_report": ("review", {}, False),
    "api-seller-claims": (None, {}, False),
    "api-seller-claim": ("claim", {}, False),
    "api-seller-claim-respond": ("claim", {}, False),
    "api-seller-claim-messages": ("claim", {}, False),
    "api-seller-claim-unit-received": ("claim", {}, False),
    "api-seller-claim-resolve": ("claim", {}, False),
    "api-seller-returns": (None, {}, False),
    "api-seller-return": ("return", {}, False),
    "api-seller-return-receive": ("return", {}, False),
}


def test_every_seller_route_has_a_case():
    missing = [f"{route} ({name})" for route, name in seller_routes() if name not in CASES]

    assert missing == [], "add these seller routes to CASES in tests/sellers/test_isolation_matrix.py"


def _url(route: str, kind: str | None, extra: dict[str, str], world: World) -> str:
    url = "/" + route
    if kind is not None:
        url = url.replace("<int:pk>", str(world.objects[kind]))
    for key, value in extra.items():
        # "@kind": the id of that object of the world (a claim's photo, say).
        value = str(world.objects[value[1:]]) if value.startswith("@") else value
        url = url.replace(f"<str:{key}>", value).replace(f"<int:{key}>", value)
    return url


def _snapshot(world: World) -> tuple:
    listing = Listing.objects.get(pk=world.objects["listing"])
    return (
        listing.status,
        listing.price_amount,
        listing.stock,
        ApiKey.objects.get(pk=world.objects["api_key"]).revoked_at,
        Membership.objects.filter(pk=world.objects["membership"]).exists(),
        SellerOrder.objects.get(pk=world.objects["seller_order"]).status,
        Listing.objects.count(),
        ListingPhoto.objects.count(),
        _after_sales_state(world),
        _workshop_state(world),
    )


def _workshop_state(world: World) -> tuple:
    from workshop.models import Technician, Unit, WorkshopSettings

    unit = Unit.objects.get(pk=world.objects["unit"])
    technician = Technician.objects.get(pk=world.objects["technician"])
    return (
        unit.status,
        unit.notes,
        unit.technician_id,
        unit.purchase_amount,
        unit.work.count(),
        Unit.objects.count(),
        (technician.capacity_per_day, technician.active),
        list(
            WorkshopSettings.objects.filter(seller_id=unit.seller_id).values_list(
                "labour_rate_amount", "warranty_months"
            )
        ),
    )


def _after_sales_state(world: World) -> tuple:
    from warranty.models import Claim, Return, Review

    claim = Claim.objects.get(pk=world.objects["claim"])
    review = Review.objects.get(pk=world.objects["review"])
    return (
        claim.status,
        claim.messages.count(),
        Return.objects.get(pk=world.objects["return"]).status,
        review.reply_text,
        review.reports.count(),
    )


@pytest.mark.parametrize(("route", "name"), seller_routes())
def test_anonymous_is_sent_to_log_in_or_gets_401(client, world, route, name):
    kind, extra, _ = CASES[name]
    url = _url(route, kind, extra, world)

    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if route.startswith("api/"):
            assert response.status_code in (401, 405), (method, url, response.status_code)
        else:
            assert response.status_code in (302, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize(("route", "name"), seller_routes())
def test_another_sellers_member_gets_404_for_foreign_objects_and_changes_nothing(client, world, route, name):
    kind, extra, _ = CASES[name]
    url = _url(route, kind, extra, world)
    client.force_login(world.owner_b)
    before = _snapshot(world)

    responses = {
        method: getattr(client, method)(
            url, {"action": "pause", "price": "1.00", "stock": "0"}, content_type="application/json"
        )
        if route.startswith("api/") and method != "get"
        else getattr(client, method)(
            url, {"action": "pause", "price": "1.00", "stock": "0", "ids": [world.objects["listing"]]}
        )
        for method in ("get", "post")
    }

    assert _snapshot(world) == before, url
    for method, response in responses.items():
        if kind is not None:
            assert response.status_code in (404, 405), (method, url, response.status_code)
        else:
            body = response.content.decode(errors="replace")
            assert "A-SECRET-SKU" not in body, (method, url)
            assert response.status_code < 500, (method, url)


@pytest.mark.parametrize(("route", "name"), seller_routes())
def test_a_member_without_the_owner_role_is_refused_owner_actions(client, world, route, name):
    kind, extra, owner_only = CASES[name]
    url = _url(route, kind, extra, world)
    client.force_login(world.staff_a)
    before = _snapshot(world)

    response = client.post(url)

    if owner_only:
        assert response.status_code == 403, url
        assert _snapshot(world) == before
    else:
        assert response.status_code not in (401, 404, 500), (url, response.status_code)


def test_members_without_the_owner_role_cannot_create_keys_or_invite(client, world):
    client.force_login(world.staff_a)

    assert client.post("/seller/api-keys/", {"name": "k", "scopes": ["listings:write"]}).status_code == 403
    assert client.post("/seller/team/", {"email": "x@y.test", "role": "owner"}).status_code == 403


@pytest.mark.parametrize(("route", "name"), seller_routes())
def test_the_owner_reaches_every_page(client, world, route, name):
    kind, extra, _ = CASES[name]
    url = _url(route, kind, extra, world)
    client.force_login(world.owner_a)

    response = client.get(url)

    assert response.status_code in (200, 302, 405), (url, response.status_code)
