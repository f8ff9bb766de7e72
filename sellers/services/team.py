"""An organisation's team: invitations by e-mail (one-time token), for seller and partner organisations.

Members' roles and removal are the kernel's (`marketplace.services.membership_role_set`,
`membership_remove`): both back-offices call them.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.errors import ApplicationError, ErrorCode
from marketplace.models import Membership, MembershipRole, Organisation, User
from marketplace.services import user_create
from sellers import notifications
from sellers.models import Invitation
from sellers.selectors import invitation_for_token, invitation_token_hash

INVITATION_TTL = timedelta(days=7)


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
        token_hash=invitation_token_hash(token),
        invited_by=actor.user,
        expires_at=timezone.now() + INVITATION_TTL,
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: notifications.send_invitation_task.delay(invitation_id, token))
    return invitation, token


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
        # A link alone never logs anyone into an account: an existing account accepts once logged in.
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ApplicationError(
                ErrorCode.PERMISSION_DENIED,
                f"An account already exists for {invitation.email}; log in to it to accept the invitation.",
            )
        # The link was sent to the address, so it is verified by the same token that accepts.
        user = user_create(email=invitation.email, password=password, full_name=full_name, email_verified=True)
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
