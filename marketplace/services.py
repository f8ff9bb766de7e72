"""Writes and rules of the platform kernel: users, organisations, memberships, API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import (
    ApiKey,
    IdempotencyKey,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Scope,
    User,
)
from marketplace.transitions import audit_record

API_KEY_PREFIX = "enc"
# last_used_at is a hint for the owner, not a log: write it at most once a minute per key.
API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_create(
    *, email: str, password: str | None, full_name: str = "", is_staff: bool = False, email_verified: bool = False
) -> User:
    """Create a user. The e-mail is unique whatever its case.

    `email_verified`: the person has shown they read mail at the address (an invitation link sent
    there); recorded as allauth's verified primary address, so they can log in. Otherwise the address
    is verified through allauth's sign-up e-mail before the first log-in.
    """
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "An account with this e-mail address already exists.",
            errors=[{"field": "email", "message": "An account with this e-mail address already exists."}],
        )
    user = User.objects.create_user(email=email, password=password, full_name=full_name, is_staff=is_staff)
    if email_verified:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *, kind: OrganisationKind | str, name: str, country: str, owner: User | None, slug: str | None = None
) -> Organisation:
    """Create an organisation with `owner` as its first member (role owner).

    Without an owner (a partner created by platform staff), the caller invites the first one.
    """
    organisation = Organisation.objects.create(
        kind=OrganisationKind(kind), name=name.strip(), slug=slug or _unique_slug(name), country=country.lower()
    )
    if owner is not None:
        Membership.objects.create(user=owner, organisation=organisation, role=MembershipRole.OWNER)
    return organisation


def organisation_receives_webhooks_set(*, organisation: Organisation, receives: bool) -> None:
    """Record whether the organisation has an enabled webhook endpoint (kept by the partners app)."""
    Organisation.objects.filter(pk=organisation.pk).exclude(receives_webhooks=receives).update(
        receives_webhooks=receives
    )
    organisation.receives_webhooks = receives


def membership_add(*, organisation: Organisation, user: User, role: MembershipRole | str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": MembershipRole(role)}
    )
    return membership


def _last_owner(membership: Membership) -> bool:
    owners = Membership.objects.select_for_update().filter(
        organisation_id=membership.organisation_id, role=MembershipRole.OWNER
    )
    return membership.role == MembershipRole.OWNER and list(owners.values_list("pk", flat=True)) == [membership.pk]


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Actor) -> None:
    """Remove a member; the last owner cannot be removed (the owners' rows are locked while checking)."""
    if _last_owner(membership):
        raise ApplicationError(ErrorCode.VALIDATION, "An organisation keeps at least one owner.")
    # The audit's status columns are short: the member's address goes in the reason.
    audit_record(
        obj=membership.organisation,
        actor=actor,
        from_status=f"member:{membership.role}",
        to_status="removed",
        reason=f"{membership.user.email} removed",
        organisation=membership.organisation,
    )
    membership.delete()


@transaction.atomic
def membership_role_set(*, membership: Membership, role: MembershipRole | str, actor: Actor) -> Membership:
    """Change a member's role (owner or staff); the last owner stays an owner. Audited."""
    if role not in MembershipRole.values:
        raise ApplicationError(
            ErrorCode.VALIDATION, "Unknown role.", errors=[{"field": "role", "message": "Unknown role."}]
        )
    new_role = MembershipRole(role)
    if new_role == membership.role:
        return membership
    if _last_owner(membership):
        raise ApplicationError(ErrorCode.VALIDATION, "An organisation keeps at least one owner.")
    previous = membership.role
    Membership.objects.filter(pk=membership.pk).update(role=new_role)
    membership.role = new_role
    audit_record(
        obj=membership.organisation,
        actor=actor,
        from_status=f"member:{previous}",
        to_status=f"member:{new_role}",
        reason=f"role of {membership.user.email}",
        organisation=membership.organisation,
    )
    return membership


def _hash_secret(secret: str) -> str:
    # Keys carry 256 bits of randomness, so a plain SHA-256 is enough (no stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


def _validate_scopes(scopes: Iterable[str]) -> list[str]:
    scope_list = sorted(set(scopes))
    unknown = [s for s in scope_list if s not in Scope.values]
    if unknown or not scope_list:
        message = f"Unknown scopes: {', '.join(unknown)}" if unknown else "Choose at least one scope."
        raise ApplicationError(ErrorCode.VALIDATION, message, errors=[{"field": "scopes", "message": message}])
    return scope_list


@transaction.atomic
def api_key_create(*, organisation: Organisation, name: str, scopes: Iterable[str], actor: Actor) -> tuple[ApiKey, str]:
    """Create an API key. Returns the key and its full secret, which is never stored nor shown again."""
    scope_list = _validate_scopes(scopes)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        organisation=organisation,
        name=name.strip() or "API key",
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=scope_list,
        created_by=actor.user,
    )
    audit_record(obj=api_key, actor=actor, from_status="", to_status="created", organisation=organisation)
    return api_key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor, reason: str = "") -> ApiKey:
    """Revoke a key for good; a revoked key authenticates nothing (401)."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db()
    if updated:
        audit_record(
            obj=api_key,
            actor=actor,
            from_status="active",
            to_status="revoked",
            reason=reason,
            organisation=api_key.organisation,
        )
    return api_key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Touches last_used_at at most once a minute."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    _, prefix, secret = parts
    api_key = ApiKey.objects.select_related("organisation").filter(prefix=prefix, revoked_at__isnull=True).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= API_KEY_LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def idempotency_keys_purge_expired() -> int:
    """Delete idempotency keys past their 24 h. Returns how many went."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
