"""What people see of performance: the seller's page and API, the console's queue, search, review section,
termination confirmation, score formula and payout measures; query counts pinned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from marketplace.actors import Actor
from orders.models import PayoutMeasure
from sellers.models import PerformanceDay, ScoreFormula, Seller
from sellers.selectors.performance import score_formula_current
from sellers.services.performance import sellers_score
from sellers.states import LadderStep, SellerStatus
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.catalog import VariantFactory, make_listing
from tests.factories.sellers import SellerFactory
from tests.factories.warranty import delivered_units, open_claim

pytestmark = pytest.mark.django_db
API_KEYS = {"score", "status", "metrics", "window_days", "step", "history"}


def scored_seller(units: int = 100, defects: int = 7, history_days: int = 0, **seller: object) -> Seller:
    """A seller with `units` delivered today, `defects` open technical claims, scored today; and
    `history_days` earlier days of history (scores going down)."""
    the_seller = SellerFactory(**seller)
    warranties = delivered_units(UserFactory(), quantity=units, seller=the_seller.organisation, sku="SOLD")
    for warranty in warranties[:defects]:
        open_claim(warranty)
    formula = score_formula_current()
    today = timezone.now().date()
    PerformanceDay.objects.bulk_create(
        PerformanceDay(seller=the_seller, day=today - timedelta(days=n), formula=formula, score=60 + n % 30)
        for n in range(1, history_days + 1)
    )
    sellers_score(seller_ids=[the_seller.pk], actor=Actor.system("tests"))
    the_seller.refresh_from_db()
    return the_seller


def member_client(client, seller: Seller):
    client.force_login(MembershipFactory(organisation=seller.organisation, role="owner").user)
    return client


# --- the seller's page and API ----------------------------------------------------------------------
def test_a_new_seller_sees_how_many_units_it_needs(client):
    seller = SellerFactory()
    delivered_units(UserFactory(), quantity=5, seller=seller.organisation)
    sellers_score(seller_ids=[seller.pk])

    page = member_client(client, seller).get("/seller/performance/").content.decode()

    assert "You have no score yet" in page
    assert "15 more units to go" in page


def test_the_performance_page_shows_score_step_metrics_trend_and_what_to_improve(client):
    seller = scored_seller(history_days=20)  # 7 % defects: 66, a warning

    page = member_client(client, seller).get("/seller/performance/").content.decode()

    assert 'data-testid="score">66<' in page
    assert "Warning" in page
    assert 'data-testid="score-trend"' in page
    assert "<polyline" in page
    assert "Defect rate" in page
    assert "7.0 %" in page
    assert "≤&nbsp;2.0 %" in page
    assert 'data-testid="to-improve"' in page
    assert "Test every unit before listing it" in page


def test_the_performance_page_query_count_does_not_grow_with_history(client, django_assert_num_queries):
    seller = scored_seller(history_days=3)
    client = member_client(client, seller)
    client.get("/seller/performance/")
    with django_assert_num_queries(6):
        client.get("/seller/performance/")
    PerformanceDay.objects.bulk_create(
        PerformanceDay(seller=seller, day=seller.scored_on - timedelta(days=n), formula=score_formula_current())
        for n in range(4, 80)
    )
    with django_assert_num_queries(6):
        client.get("/seller/performance/")


def test_the_api_answers_as_api_md_says(key_client, django_assert_num_queries):
    seller = scored_seller(history_days=2)
    client = key_client(seller.organisation, ["listings:write"])

    with django_assert_num_queries(6):
        response = client.get("/api/v1/seller/performance/")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == API_KEYS
    assert (body["score"], body["status"], body["step"], body["window_days"]) == (66, "scored", "warning", 90)
    assert [m["code"] for m in body["metrics"]] == [
        "defect_rate",
        "cancellation_rate",
        "late_shipment_rate",
        "average_rating",
        "claim_answer_hours",
        "mystery_order_findings",
    ]
    assert body["metrics"][0] == {"code": "defect_rate", "value": 0.07, "weight": 35, "threshold": 0.02}
    assert body["metrics"][3] == {"code": "average_rating", "value": None, "weight": 15, "threshold": 4.7}
    assert body["metrics"][4]["threshold"] == 24.0  # hours
    assert [point["score"] for point in body["history"]] == [62, 61, 66]
    assert body["history"][-1]["date"] == timezone.now().date().isoformat()


def test_the_api_says_new_under_the_minimum_sample(key_client):
    seller = SellerFactory()

    body = key_client(seller.organisation, ["listings:write"]).get("/api/v1/seller/performance/").json()

    assert (body["score"], body["status"], body["step"], body["history"]) == (None, "new", "none", [])


@pytest.mark.parametrize(("scopes", "status"), [(["catalog:read"], 403), (["orders:read"], 403)])
def test_the_api_needs_listings_write(key_client, scopes, status):
    response = key_client(SellerFactory().organisation, scopes).get("/api/v1/seller/performance/")

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"


def test_a_partner_key_and_no_key_are_refused(key_client, api_client):
    partner = OrganisationFactory(kind="partner")

    assert key_client(partner, ["listings:write"]).get("/api/v1/seller/performance/").status_code == 403
    assert api_client.get("/api/v1/seller/performance/").status_code == 401


def test_the_listing_table_and_form_say_what_wins_and_why(client):
    seller = scored_seller(defects=0)  # 100: 5.3 % leeway
    variant = VariantFactory()
    mine = make_listing(seller=seller.organisation, variant=variant, grade="good", price_amount=30000, sku="MINE")
    make_listing(variant=variant, grade="good", price_amount=27900)  # a neutral rival at 279.00
    client = member_client(client, seller)

    table = client.get("/seller/listings/").content.decode()
    form = client.get(f"/seller/listings/{mine.pk}/").content.decode()
    hint = client.get(f"/seller/listings/price-hint/?variant={variant.pk}&grade=good&market=fr").content.decode()

    assert "Your score of 100 gives you 5.3 % leeway" in table
    assert "win at €293.68" in table
    assert "best offer €279.00" in table
    assert "You would win the buy box at €293.68 or less (the best offer is €279.00)." in form
    assert "Your quality score gives you 5.3 % leeway over a neutral seller." in form
    assert "You would win the buy box at €293.68 or less" in hint


def test_a_listing_holding_the_buy_box_at_a_higher_price_shows_the_offer_it_beats(client):
    seller = scored_seller(defects=0)  # 100: 5.3 % leeway
    variant = VariantFactory()
    make_listing(seller=seller.organisation, variant=variant, grade="good", price_amount=28500, sku="MINE")
    make_listing(variant=variant, grade="good", price_amount=27900)  # a neutral rival, cheaper by 6.00

    table = member_client(client, seller).get("/seller/listings/").content.decode()

    row = table[table.index("MINE") :]
    row = row[: row.index("</tr>")]
    assert "yours" in row
    assert "best offer €279.00" in row


# --- the console --------------------------------------------------------------------------------------
def test_the_console_queues_sellers_suspended_by_the_score_apart(client, manager):
    by_score = scored_seller(defects=9, organisation__name="Defects Galore")
    by_hand = SellerFactory(status=SellerStatus.SUSPENDED, organisation__name="Paused By Hand")
    client.force_login(manager)

    page = client.get("/console/").content.decode()

    queue = page[page.index('data-testid="score-queue"') :]
    queue = queue[: queue.index("</table>")]
    assert f'href="/console/sellers/{by_score.pk}/"' in queue
    assert f'href="/console/sellers/{by_hand.pk}/"' not in queue
    assert f'href="/console/sellers/{by_hand.pk}/"' in page


def test_the_console_searches_every_seller(client, manager, django_assert_num_queries):
    SellerFactory(organisation__name="Atelier Reboot", vat_id="FR40123456789")
    SellerFactory(organisation__name="Other Refurb")
    client.force_login(manager)
    client.get("/console/sellers/?q=reboot")

    with django_assert_num_queries(3):
        by_name = client.get("/console/sellers/?q=reboot").content.decode()
    by_vat = client.get("/console/sellers/?q=FR40123456789").content.decode()
    active = client.get("/console/sellers/?status=active").content.decode()

    assert "Atelier Reboot" in by_name
    assert "Other Refurb" not in by_name
    assert "Atelier Reboot" in by_vat
    assert "Atelier Reboot" in active
    assert "Other Refurb" in active
    for _ in range(10):
        SellerFactory()
    with django_assert_num_queries(3):
        client.get("/console/sellers/?status=active")


def test_the_console_finds_a_seller_by_a_members_login_and_shows_a_score_of_zero(client, manager):
    seller = SellerFactory(
        organisation__name="Zero Refurb", status=SellerStatus.SUSPENDED, score=0, ladder_step=LadderStep.SUSPENDED
    )
    MembershipFactory(organisation=seller.organisation, user=UserFactory(email="ops-desk@zero-refurb.test"))
    SellerFactory(organisation__name="Other Refurb")
    client.force_login(manager)

    found = client.get("/console/sellers/?q=ops-desk@zero").content.decode()
    queue = client.get("/console/").content.decode()

    assert "Zero Refurb" in found
    assert "Other Refurb" not in found
    assert found.count("Zero Refurb") == 1  # one row, however many members match
    row = found[found.index("Zero Refurb") :]
    assert "<td>0</td>" in row[: row.index("</tr>")]
    assert "<td>0</td>" in queue[queue.index("Zero Refurb") :]


def test_the_review_page_shows_the_performance_and_what_is_behind_it(client, manager, django_assert_num_queries):
    seller = scored_seller(defects=9, history_days=5)
    client.force_login(manager)
    client.get(f"/console/sellers/{seller.pk}/")

    # 28: with the seller's payout account and card disputes (one query each).
    with django_assert_num_queries(28):
        page = client.get(f"/console/sellers/{seller.pk}/").content.decode()

    assert 'data-testid="performance-section"' in page
    assert 'data-testid="console-score">53<' in page
    assert page.count('<li><a href="/console/after-sales/claims/') >= 9
    assert "Suspended by the score" in page
    assert "Keep the listing cap" in page
    assert f'href="/console/sellers/{seller.pk}/terminate/"' in page


def test_score_now_and_score_everyone(client, manager, monkeypatch, django_capture_on_commit_callbacks):
    from sellers import tasks

    seller = SellerFactory()
    delivered_units(UserFactory(), quantity=20, seller=seller.organisation)
    client.force_login(manager)
    queued = []
    monkeypatch.setattr(tasks.sellers_score_task, "delay", lambda *args: queued.append(args))

    client.post(f"/console/sellers/{seller.pk}/score/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/console/scoring/run/")

    seller.refresh_from_db()
    assert seller.score == 100
    assert response.status_code == 302
    assert queued == [()]


def test_reinstating_from_the_console_can_keep_the_cap(client, manager):
    seller = scored_seller(defects=9)
    client.force_login(manager)

    client.post(
        f"/console/sellers/{seller.pk}/decide/",
        {"decision": "reinstate", "reason": "New test bench", "keep_cap": "on"},
    )

    seller.refresh_from_db()
    assert (seller.status, seller.ladder_step) == (SellerStatus.ACTIVE, LadderStep.CAP)  # its score, in grace
    assert seller.listing_cap_until > timezone.now() + timedelta(days=29)
    assert Listing.objects.filter(seller=seller.organisation, status="paused_by_platform").count() == 0


def test_a_kept_cap_is_lifted_early_with_a_reason_and_audited(client, manager):
    from marketplace.models import AuditEvent

    # Reinstated 20 days ago with the cap kept; its score has recovered since (no step).
    seller = SellerFactory(listing_cap_until=timezone.now() + timedelta(days=10))
    client.force_login(manager)
    page = client.get(f"/console/sellers/{seller.pk}/").content.decode()
    assert 'data-testid="cap-kept"' in page

    refused = client.post(f"/console/sellers/{seller.pk}/cap/lift/", {"reason": "  "}, follow=True)
    seller.refresh_from_db()
    assert "Give the reason for this decision." in refused.content.decode()
    assert seller.listing_cap_until is not None

    lifted = client.post(
        f"/console/sellers/{seller.pk}/cap/lift/", {"reason": "Audit passed on 3 June."}, follow=True
    ).content.decode()
    seller.refresh_from_db()
    assert seller.listing_cap_until is None
    assert "Listing cap lifted" in lifted
    assert 'data-testid="cap-kept"' not in lifted
    audit = AuditEvent.objects.filter(object_id=str(seller.pk), to_status="ladder:none").latest("pk")
    assert (audit.from_status, audit.reason, audit.actor_user) == ("ladder:cap", "Audit passed on 3 June.", manager)
    for n in range(7):  # no cap any more
        make_listing(seller=seller.organisation, sku=f"FREE-{n}")

    again = client.post(f"/console/sellers/{seller.pk}/cap/lift/", {"reason": "Twice"}, follow=True)
    assert "No listing cap is kept on this seller." in again.content.decode()


def test_lifting_a_kept_cap_says_when_the_score_still_caps(client, manager):
    seller = scored_seller(defects=9)  # suspended by the score (53, 9 % defects)
    client.force_login(manager)
    client.post(
        f"/console/sellers/{seller.pk}/decide/", {"decision": "reinstate", "reason": "New bench", "keep_cap": "on"}
    )

    lifted = client.post(f"/console/sellers/{seller.pk}/cap/lift/", {"reason": "Audit passed"}, follow=True)

    seller.refresh_from_db()
    assert (seller.listing_cap_until, seller.ladder_step) == (None, LadderStep.CAP)
    assert "the seller&#x27;s score still caps it" in lifted.content.decode()


def test_lifting_a_cap_is_for_success_managers_only(client):
    seller = SellerFactory(listing_cap_until=timezone.now() + timedelta(days=10))
    owner = MembershipFactory(organisation=seller.organisation).user
    client.force_login(owner)

    response = client.post(f"/console/sellers/{seller.pk}/cap/lift/", {"reason": "Please"})

    assert response.status_code in (302, 403)
    seller.refresh_from_db()
    assert seller.listing_cap_until is not None


def test_terminating_asks_for_confirmation_a_ground_and_a_statement(client, manager):
    seller = scored_seller(defects=9)
    client.force_login(manager)

    confirm = client.get(f"/console/sellers/{seller.pk}/terminate/").content.decode()
    refused = client.post(f"/console/sellers/{seller.pk}/terminate/", {"ground": "quality", "reason": ""})
    given = client.post(
        f"/console/sellers/{seller.pk}/terminate/", {"ground": "quality", "reason": "Defects above 8 % since May."}
    )

    assert "30 days' notice" in confirm
    assert "Confirm the termination" in confirm
    assert refused.status_code == 400
    assert given.status_code == 302
    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED
    assert seller.terminates_at is not None
    page = client.get(f"/console/sellers/{seller.pk}/").content.decode()
    assert 'data-testid="termination-notice"' in page
    assert "Defects above 8 % since May." in page


def test_a_fraud_terminates_at_once_from_the_console(client, manager):
    seller = scored_seller(defects=9)
    client.force_login(manager)

    client.post(f"/console/sellers/{seller.pk}/terminate/", {"ground": "fraud", "reason": "Swapped identifiers."})

    seller.refresh_from_db()
    assert seller.status == SellerStatus.TERMINATED


def test_publishing_a_formula_version_never_edits_one(client, manager):
    client.force_login(manager)
    page = client.get("/console/score-formula/")
    assert page.status_code == 200
    values = {name: getattr(score_formula_current(), name) for name in page.context["form"].fields if name != "note"}

    bad = client.post("/console/score-formula/", {**values, "weight_defect_rate": 40, "note": "More weight"})
    good = client.post(
        "/console/score-formula/",
        {**values, "weight_defect_rate": 40, "weight_mystery_order_findings": 5, "note": "Defects weigh more."},
    )

    assert bad.status_code == 400
    assert "add up to 105" in bad.content.decode()
    assert good.status_code == 302
    first, second = ScoreFormula.objects.order_by("version")
    assert (first.weight_defect_rate, second.weight_defect_rate, second.version) == (35, 40, 2)
    seller = SellerFactory()
    sellers_score(seller_ids=[seller.pk])
    assert PerformanceDay.objects.get(seller=seller).formula == second


def test_the_admin_publishes_versions_and_never_changes_one(admin_client):
    current = score_formula_current()
    data = {name: getattr(current, name) for name in ("window_days", "minimum_units", "warning_below")}

    change = admin_client.get(f"/admin/sellers/scoreformula/{current.pk}/change/")
    add = admin_client.get("/admin/sellers/scoreformula/add/")

    assert change.status_code == 200  # view only
    assert 'name="_save"' not in change.content.decode()
    assert add.status_code == 200
    assert data  # the add form is prefilled with the current version (get_changeform_initial_data)
    assert add.context["adminform"].form.initial["warning_below"] == 70


def test_payout_measures_from_the_console(client, manager):
    seller = scored_seller(defects=9)
    client.force_login(manager)

    client.post(
        f"/console/sellers/{seller.pk}/measures/",
        {"action": "retainer", "percent": "20", "days": "90", "reason": "Defects"},
    )
    client.post(
        f"/console/sellers/{seller.pk}/measures/",
        {"action": "deferral", "until": (timezone.now().date() + timedelta(days=20)).isoformat(), "reason": "Audit"},
    )
    page = client.get(f"/console/sellers/{seller.pk}/").content.decode()
    deferral = PayoutMeasure.objects.get(kind="deferral")
    client.post(f"/console/sellers/{seller.pk}/measures/", {"action": "lift", "measure": deferral.pk, "reason": "OK"})

    retainer = PayoutMeasure.objects.get(kind="retainer")
    assert (retainer.basis_points, retainer.hold_days) == (2000, 60)
    assert "Retainer: 20 % of each sale" in page
    assert "Payouts deferred until" in page
    deferral.refresh_from_db()
    assert deferral.lifted_at is not None
