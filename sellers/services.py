"""Seller lifecycle, applications, the probation cap and team management.

Every status change goes through `_seller_transition` (lock, table check, audit,
`seller.status_changed` event, e-mail after commit). Listing side effects of a
decision (pause at the end of probation, resume on activation, deactivate on
termination) are set-based and audited per listing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.events import emit, emit_many
from marketplace.models import EventType, Market, Membership, MembershipRole, Organisation, OrganisationKind, User
from marketplace.services import organisation_create, user_create
from marketplace.transitions import audit_record, bulk_transition, transition
from sellers import documents as document_rules
from sellers.models import DocumentKind, Invitation, LegalForm, ProbationDay, Seller, SellerDocument
from sellers.states import CAPPED_STATUSES, SELLING_STATUSES, TRANSITIONS, SellerStatus
from sellers.vat import normalise_vat_id, vat_id_error

INVITATION_TTL = timedelta(days=7)


# --- applying --------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """What an applicant submits (validated again here, whatever the form did)."""

    company_name: str
    legal_form: str
    vat_id: str
    home_market: str
    address_line: str
    postal_code: str
    city: str
    contact_name: str
    contact_email: str
    contact_phone: str
    monthly_capacity: int
    capacity_description: str
    charter_accepted: bool


def _application_errors(application: Application, documents: Sequence[UploadedFile]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def add(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    for name in ("company_name", "address_line", "postal_code", "city", "contact_name", "capacity_description"):
        if not str(getattr(application, name)).strip():
            add(name, "This field is required.")
    if application.legal_form not in LegalForm.values:
        add("legal_form", "Choose a legal form.")
    if not Market.objects.filter(code=application.home_market).exists():
        add("home_market", "Choose the country of your business among Encore's markets.")
    elif message := vat_id_error(application.home_market, application.vat_id):
        add("vat_id", message)
    elif Seller.objects.filter(vat_id=normalise_vat_id(application.vat_id)).exists():
        add("vat_id", "A seller with this VAT id has already applied.")
    if application.monthly_capacity < 1:
        add("monthly_capacity", "Tell us how many units you refurbish per month.")
    if not application.charter_accepted:
        add("charter_accepted", "You must accept the quality charter to sell on Encore.")
    if not documents:
        add("documents", "Attach at least one proof of your refurbishing capacity.")
    for upload in documents:
        if message := document_rules.document_error(upload):
            add("documents", message)
    return errors


def seller_apply(*, user: User, application: Application, documents: Sequence[UploadedFile]) -> Seller:
    """Create a seller organisation (owner: `user`) in status applied, with its proof documents.

    Everything is validated before anything is written; invalid input raises
    ApplicationError(VALIDATION) with field errors and saves nothing. Side effects:
    audit record, `seller.status_changed` event, e-mail to success managers.
    """
    errors = _application_errors(application, documents)
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "The application has errors.", errors=errors)
    now = timezone.now()
    with transaction.atomic():
        organisation = organisation_create(
            kind=OrganisationKind.SELLER,
            name=application.company_name,
            country=application.home_market,
            owner=user,
        )
        seller = Seller.objects.create(
            organisation=organisation,
            status=SellerStatus.APPLIED,
            legal_form=application.legal_form,
            vat_id=normalise_vat_id(application.vat_id),
            home_market_id=application.home_market,
            address_line=application.address_line.strip(),
            postal_code=application.postal_code.strip(),
            city=application.city.strip(),
            contact_name=application.contact_name.strip(),
            contact_email=application.contact_email.strip().lower(),
            contact_phone=application.contact_phone.strip(),
            monthly_capacity=application.monthly_capacity,
            capacity_description=application.capacity_description.strip(),
            charter_version=settings.QUALITY_CHARTER_VERSION,
            charter_accepted_at=now,
            applied_at=now,
        )
        for upload in documents:
            SellerDocument.objects.create(
                seller=seller,
                kind=DocumentKind.CAPACITY,
                file=upload,
                original_name=upload.name[:200],
                content_type=document_rules.sniff_content_type(upload) or "application/octet-stream",
                size=upload.size,
            )
        actor = Actor.for_user(user)
        audit_record(obj=seller, actor=actor, from_status="", to_status=SellerStatus.APPLIED, organisation=organisation)
        emit(EventType.SELLER_STATUS_CHANGED, _event_data(seller, "", SellerStatus.APPLIED, ""), organisation)
        seller_id = seller.pk
        transaction.on_commit(lambda: _notify_seller(seller_id, SellerStatus.APPLIED, ""))
        transaction.on_commit(lambda: _notify_managers(seller_id, "application"))
    return seller


# --- lifecycle ---------------------------------------------------------------------


def _event_data(seller: Seller, from_status: str, to_status: str, reason: str) -> dict[str, object]:
    return {
        "seller": {"id": seller.pk, "slug": seller.organisation.slug, "name": seller.organisation.name},
        "from": from_status,
        "to": to_status,
        "reason": reason,
    }


def _notify_seller(seller_id: int, status: str, reason: str) -> None:
    from sellers.tasks import notify_seller_status_task

    notify_seller_status_task.delay(seller_id, status, reason)


def _notify_managers(seller_id: int, topic: str) -> None:
    from sellers.tasks import notify_success_managers_task

    notify_success_managers_task.delay(seller_id, topic)


def _require_reason(actor: Actor, reason: str) -> str:
    reason = reason.strip()
    if not reason and not actor.is_system:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "Give the reason for this decision.",
            errors=[{"field": "reason", "message": "Give the reason for this decision."}],
        )
    return reason


def _seller_transition(
    seller: Seller,
    *,
    to: SellerStatus,
    actor: Actor,
    reason: str,
    extra_updates: dict[str, object] | None = None,
    then: Callable[[Seller], None] | None = None,
) -> Seller:
    reason = _require_reason(actor, reason)
    with transaction.atomic():
        current = Seller.objects.select_for_update().select_related("organisation").get(pk=seller.pk)
        from_status = current.status
        locked = transition(
            current,
            to=to,
            actor=actor,
            transitions=TRANSITIONS,
            reason=reason,
            organisation=current.organisation,
            extra_updates=extra_updates,
        )
        emit(EventType.SELLER_STATUS_CHANGED, _event_data(locked, from_status, to, reason), locked.organisation)
        if then is not None:
            then(locked)
        seller_id = locked.pk
        transaction.on_commit(lambda: _notify_seller(seller_id, to, reason))
    seller.refresh_from_db()
    return seller


def _probation_period(start: datetime) -> dict[str, object]:
    return {"probation_started_at": start, "probation_ends_at": start + timedelta(days=settings.PROBATION_DAYS)}


def seller_approve(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """applied -> probation. Starts the 40-day clock."""
    now = timezone.now()
    return _seller_transition(
        seller,
        to=SellerStatus.PROBATION,
        actor=actor,
        reason=reason,
        extra_updates={"approved_at": now, **_probation_period(now)},
    )


def seller_reject(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """applied -> rejected."""
    return _seller_transition(seller, to=SellerStatus.REJECTED, actor=actor, reason=reason)


def seller_start_review(*, seller: Seller, actor: Actor, reason: str = "") -> Seller:
    """probation -> under_review (the scheduled job at day 40): pauses every active listing.

    Listings the platform pauses become `paused_by_platform`, kept apart from the
    ones the seller paused, so activation resumes exactly these. Emits
    `listing.paused` per listing and notifies the success managers.
    """
    reason = reason or f"End of the {settings.PROBATION_DAYS}-day probation."

    def pause(locked: Seller) -> None:
        _pause_listings_by_platform(locked, actor=actor, reason=reason)
        seller_id = locked.pk
        transaction.on_commit(lambda: _notify_managers(seller_id, "review"))

    return _seller_transition(seller, to=SellerStatus.UNDER_REVIEW, actor=actor, reason=reason, then=pause)


def seller_activate(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review -> active: no cap any more; resumes exactly the listings the platform paused."""
    return _seller_transition(
        seller,
        to=SellerStatus.ACTIVE,
        actor=actor,
        reason=reason,
        then=lambda locked: _resume_listings_paused_by_platform(locked, actor=actor, reason=reason),
    )


def seller_extend_probation(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review -> probation with a new 40-day period; paused listings resume under the cap."""
    return _seller_transition(
        seller,
        to=SellerStatus.PROBATION,
        actor=actor,
        reason=reason,
        extra_updates=_probation_period(timezone.now()),
        then=lambda locked: _resume_listings_paused_by_platform(locked, actor=actor, reason=reason),
    )


def seller_suspend(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """active -> suspended (by score or by hand): pauses every active listing."""
    return _seller_transition(
        seller,
        to=SellerStatus.SUSPENDED,
        actor=actor,
        reason=reason,
        then=lambda locked: _pause_listings_by_platform(locked, actor=actor, reason=reason),
    )


def seller_reinstate(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """suspended -> active: resumes exactly the listings the platform paused."""
    return _seller_transition(
        seller,
        to=SellerStatus.ACTIVE,
        actor=actor,
        reason=reason,
        then=lambda locked: _resume_listings_paused_by_platform(locked, actor=actor, reason=reason),
    )


def seller_terminate(*, seller: Seller, actor: Actor, reason: str) -> Seller:
    """under_review | suspended -> terminated: every listing deactivated for good; open orders still ship."""
    return _seller_transition(
        seller,
        to=SellerStatus.TERMINATED,
        actor=actor,
        reason=reason,
        then=lambda locked: _deactivate_listings(locked, actor=actor, reason=reason),
    )


# Console decisions by name: what a success manager may do, and the service that does it.
DECISIONS: dict[str, Callable[..., Seller]] = {
    "approve": seller_approve,
    "reject": seller_reject,
    "activate": seller_activate,
    "extend": seller_extend_probation,
    "terminate": seller_terminate,
    "suspend": seller_suspend,
    "reinstate": seller_reinstate,
}
DECISION_TARGETS: dict[str, SellerStatus] = {
    "approve": SellerStatus.PROBATION,
    "reject": SellerStatus.REJECTED,
    "activate": SellerStatus.ACTIVE,
    "extend": SellerStatus.PROBATION,
    "terminate": SellerStatus.TERMINATED,
    "suspend": SellerStatus.SUSPENDED,
    "reinstate": SellerStatus.ACTIVE,
}
DECISIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    SellerStatus.APPLIED: ("approve", "reject"),
    SellerStatus.UNDER_REVIEW: ("activate", "extend", "terminate"),
    SellerStatus.ACTIVE: ("suspend",),
    SellerStatus.SUSPENDED: ("reinstate", "terminate"),
}


def seller_decide(*, seller: Seller, decision: str, actor: Actor, reason: str) -> Seller:
    """Apply a console decision by name; refuses a decision the seller's status does not offer."""
    if decision not in DECISIONS_BY_STATUS.get(seller.status, ()):
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION, f"'{decision}' is not a decision for a seller in status {seller.status}."
        )
    return DECISIONS[decision](seller=seller, actor=actor, reason=reason)


# --- listings touched by lifecycle decisions -------------------------------------------


def _catalog_changed_if(moved: list[object]) -> None:
    """Storefront caches key on the catalog version: bump it (on commit) when listings left or came back."""
    from catalog.services import catalog_changed

    if moved:
        catalog_changed()


def _pause_listings_by_platform(seller: Seller, *, actor: Actor, reason: str) -> list[object]:
    from catalog.models import Listing
    from catalog.states import TRANSITIONS as LISTING_TRANSITIONS
    from catalog.states import ListingStatus

    paused = bulk_transition(
        Listing.objects.filter(seller=seller.organisation),
        from_status=ListingStatus.ACTIVE,
        to=ListingStatus.PAUSED_BY_PLATFORM,
        actor=actor,
        transitions=LISTING_TRANSITIONS,
        reason=reason,
        organisation_field="seller",
    )
    # Same payload as catalog's single-listing pause, so webhook receivers see one shape.
    skus = dict(Listing.objects.filter(pk__in=paused).values_list("pk", "sku"))
    emit_many(
        EventType.LISTING_PAUSED,
        [
            (
                {"listing": pk, "sku": skus[pk], "status": ListingStatus.PAUSED_BY_PLATFORM, "reason": reason},
                seller.organisation,
            )
            for pk in paused
        ],
    )
    _catalog_changed_if(paused)
    return paused


def _resume_listings_paused_by_platform(seller: Seller, *, actor: Actor, reason: str) -> list[object]:
    from catalog.models import Listing
    from catalog.states import TRANSITIONS as LISTING_TRANSITIONS
    from catalog.states import ListingStatus

    resumed = bulk_transition(
        Listing.objects.filter(seller=seller.organisation),
        from_status=ListingStatus.PAUSED_BY_PLATFORM,
        to=ListingStatus.ACTIVE,
        actor=actor,
        transitions=LISTING_TRANSITIONS,
        reason=reason,
        organisation_field="seller",
    )
    _catalog_changed_if(resumed)
    return resumed


def _deactivate_listings(seller: Seller, *, actor: Actor, reason: str) -> list[object]:
    from catalog.models import Listing
    from catalog.states import TRANSITIONS as LISTING_TRANSITIONS
    from catalog.states import ListingStatus

    moved: list[object] = []
    for from_status in (
        ListingStatus.ACTIVE,
        ListingStatus.PAUSED,
        ListingStatus.PAUSED_BY_PLATFORM,
        ListingStatus.DRAFT,
    ):
        if ListingStatus.DEACTIVATED in LISTING_TRANSITIONS.get(from_status, frozenset()):
            moved += bulk_transition(
                Listing.objects.filter(seller=seller.organisation),
                from_status=from_status,
                to=ListingStatus.DEACTIVATED,
                actor=actor,
                transitions=LISTING_TRANSITIONS,
                reason=reason,
                organisation_field="seller",
            )
    _catalog_changed_if(moved)
    return moved


def probation_ended_sellers(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of sellers in probation whose period is over (a bounded batch, oldest first)."""
    now = now or timezone.now()
    return list(
        Seller.objects.filter(status=SellerStatus.PROBATION, probation_ends_at__lte=now)
        .order_by("probation_ends_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def probation_end_due(*, now: datetime | None = None, batch_size: int = 100) -> int:
    """Move every seller whose probation is over to under_review, in bounded batches. Idempotent.

    Each seller is moved in its own transaction (a failure leaves the others done);
    the transition re-checks the status under a row lock, so a second run, or two
    workers at once, move nobody twice.
    """
    moved = 0
    actor = Actor.system("probation scheduler")
    while True:
        batch = probation_ended_sellers(now=now, limit=batch_size)
        if not batch:
            return moved
        for seller_id in batch:
            seller = Seller.objects.select_related("organisation").get(pk=seller_id)
            try:
                seller_start_review(seller=seller, actor=actor)
                moved += 1
            except ApplicationError:
                continue  # moved meanwhile by someone else: nothing to do
        if len(batch) < batch_size:
            return moved


# --- the probation cap -------------------------------------------------------------------


def seller_local_day(seller: Seller, at: datetime | None = None) -> date:
    """The calendar day in the seller's home market's time zone."""
    return (at or timezone.now()).astimezone(ZoneInfo(seller.home_market.time_zone)).date()


def next_slot_opens_at(seller: Seller, at: datetime | None = None) -> datetime:
    """Local midnight after `at`, as an aware UTC datetime."""
    zone = ZoneInfo(seller.home_market.time_zone)
    local = (at or timezone.now()).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return midnight.astimezone(ZoneInfo("UTC"))


def probation_listings_created_today(seller: Seller, at: datetime | None = None) -> int:
    row = ProbationDay.objects.filter(seller=seller, day=seller_local_day(seller, at)).first()
    return row.listings_created if row else 0


def seller_for_listing(organisation: Organisation) -> Seller:
    """The seller row behind a seller organisation, for listing rules; refuses an organisation without one."""
    seller = Seller.objects.select_related("home_market").filter(organisation=organisation).first()
    if seller is None:
        raise ApplicationError(ErrorCode.SELLER_NOT_SELLING, "This organisation is not an approved seller.")
    return seller


def seller_assert_can_list(seller: Seller) -> None:
    if seller.status not in SELLING_STATUSES:
        raise ApplicationError(
            ErrorCode.SELLER_NOT_SELLING,
            f"Your seller account is {seller.get_status_display().lower()}: you cannot publish new listings.",
        )


def probation_take_listing_slots(*, seller: Seller, count: int = 1, at: datetime | None = None) -> None:
    """Take `count` of today's probation slots, or refuse all of them. Call inside the listing's transaction.

    One `INSERT ... ON CONFLICT DO UPDATE ... WHERE used + count <= cap`: the row
    lock it takes serialises concurrent creators, so two requests racing for the
    5th slot end with exactly one listing. If the listing's transaction rolls back,
    so does the slot. Sellers outside probation have no cap.
    Raises ApplicationError(PROBATION_DAILY_CAP) with Retry-After seconds.
    """
    seller_assert_can_list(seller)
    if seller.status not in CAPPED_STATUSES:
        return
    cap = settings.PROBATION_DAILY_LISTING_CAP
    day = seller_local_day(seller, at)
    taken = None
    if count <= cap:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO sellers_probationday (seller_id, day, listings_created) VALUES (%s, %s, %s)
                ON CONFLICT (seller_id, day) DO UPDATE
                    SET listings_created = sellers_probationday.listings_created + EXCLUDED.listings_created
                    WHERE sellers_probationday.listings_created + EXCLUDED.listings_created <= %s
                RETURNING listings_created
                """,
                [seller.pk, day, count, cap],
            )
            taken = cursor.fetchone()
    if taken is None:
        used = probation_listings_created_today(seller, at)
        left = max(cap - used, 0)
        opens = next_slot_opens_at(seller, at)
        local_opens = opens.astimezone(ZoneInfo(seller.home_market.time_zone))
        retry_after = max(int((opens - (at or timezone.now())).total_seconds()), 1)
        when = f"{local_opens:%Y-%m-%d %H:%M} ({seller.home_market.time_zone})"
        if count == 1:
            message = (
                f"During probation you can publish at most {cap} new listings per day; you have used all {cap} "
                f"today. The next slot opens at {when}."
            )
        else:
            message = (
                f"During probation you can publish at most {cap} new listings per day: {left} more fit today, "
                f"you tried {count}. The next slots open at {when}."
            )
        raise ApplicationError(
            ErrorCode.PROBATION_DAILY_CAP,
            message,
            retry_after=retry_after,
            extra={"slots_left_today": left, "next_slot_at": opens.isoformat()},
        )


# --- team --------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, organisation: Organisation, email: str, role: str, actor: Actor) -> tuple[Invitation, str]:
    """Invite `email` to the organisation; returns the invitation and its one-time token (sent by e-mail)."""
    email = email.strip().lower()
    if role not in MembershipRole.values:
        raise ApplicationError(
            ErrorCode.VALIDATION, "Unknown role.", errors=[{"field": "role", "message": "Unknown role."}]
        )
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        message = "This person is already a member."
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "email", "message": message}])
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor.user,
        expires_at=timezone.now() + INVITATION_TTL,
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: _send_invitation(invitation_id, token))
    return invitation, token


def _send_invitation(invitation_id: int, token: str) -> None:
    from sellers.tasks import send_invitation_task

    send_invitation_task.delay(invitation_id, token)


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User | None, password: str | None = None, full_name: str = "") -> Membership:
    """Join the organisation. A logged-in user must be the invited address; otherwise an account is created."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "This invitation has expired or was already used.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "This invitation has expired or was already used.")
    if user is None:
        user = User.objects.filter(email__iexact=invitation.email).first() or user_create(
            email=invitation.email, password=password, full_name=full_name
        )
    elif user.email.lower() != invitation.email:
        raise ApplicationError(
            ErrorCode.PERMISSION_DENIED, f"This invitation is for {invitation.email}; log in with that address."
        )
    membership, _ = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a member; the last owner cannot be removed."""
    if membership.role == MembershipRole.OWNER and (
        Membership.objects.filter(organisation=membership.organisation, role=MembershipRole.OWNER).count() == 1
    ):
        raise ApplicationError(ErrorCode.VALIDATION, "An organisation keeps at least one owner.")
    audit_record(
        obj=membership.organisation,
        actor=actor,
        from_status=f"member:{membership.user.email}",
        to_status="removed",
        organisation=membership.organisation,
    )
    membership.delete()
