"""A person's data: download it (JSON) and erase the account (DOMAIN.md, Privacy).

Each app knows what it stores about a person, so each registers, in its `AppConfig.ready()`, an
exporter (what to hand over) and an eraser (what to remove or anonymise) with `personal_data.register`.
The kernel calls them all: the apps never import each other for this.

Erasure removes personal data (names, e-mail addresses, phone numbers, postal addresses, IBANs,
messages, photos) and keeps what the law requires or others rely on, anonymised: orders, invoices,
ledger entries and warranties stay, with the buyer's details replaced; reviews stay, without a name.
The account itself is anonymised in place (its primary key is what the kept rows point to), made
unusable, and its memberships end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from marketplace.actors import Actor
from marketplace.models import ApiKey, AuditEvent, Membership, User
from marketplace.transitions import audit_record

Exporter = Callable[[User], dict[str, Any]]
Eraser = Callable[[User], None]

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real mailbox
ERASED_NAME = "Erased account"


def erased_email(user_id: int, label: str = "user") -> str:
    """The placeholder address an erased person's rows carry (unique, never deliverable)."""
    return f"{label}-{user_id}@{ERASED_DOMAIN}"


@dataclass(frozen=True)
class _Entry:
    app_label: str
    export: Exporter
    erase: Eraser


class PersonalDataRegistry:
    """Who stores what about a person: one exporter and one eraser per app."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def register(self, app_label: str, *, export: Exporter, erase: Eraser) -> None:
        self._entries[app_label] = _Entry(app_label, export, erase)

    @property
    def app_labels(self) -> list[str]:
        return sorted(self._entries)

    def entries(self) -> list[_Entry]:
        return [self._entries[label] for label in self.app_labels]


personal_data = PersonalDataRegistry()


def _account_export(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "organisations": [
            {"name": m.organisation.name, "kind": m.organisation.kind, "role": m.role}
            for m in Membership.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything Encore stores about `user`, by app, as JSON-ready values."""
    data: dict[str, Any] = {"exported_at": timezone.now().isoformat(), "account": _account_export(user)}
    for entry in personal_data.entries():
        data[entry.app_label] = entry.export(user)
    return data


def user_erase(*, user: User, actor: Actor, reason: str = "erasure requested by the person") -> User:
    """Erase `user`'s personal data everywhere, in one transaction (see the module docstring).

    Each app's eraser runs first (they may read the account's e-mail to find rows), then the account
    is anonymised: e-mail `user-<id>@erased.invalid`, no name, an unusable password, inactive; its
    memberships and the API keys it created end. Audited. Irreversible.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for entry in personal_data.entries():
            entry.erase(user)
        placeholder = erased_email(user.pk)
        # The audit trail keeps what was done and when, not who the person was.
        AuditEvent.objects.filter(actor_user=user).update(actor_label=placeholder)
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
            object_repr=placeholder
        )
        ApiKey.objects.filter(created_by=user).update(created_by=None)
        Membership.objects.filter(user=user).delete()
        # allauth's rows: the addresses (verified or not) and the second factors (TOTP secret, recovery codes).
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator

        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.email = placeholder
        user.full_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "is_staff", "is_superuser", "password"])
        user.groups.clear()
        user.user_permissions.clear()
        if actor.user is not None and actor.user.pk == user.pk:
            actor = Actor.system("the account holder")  # not their e-mail, which is what goes
        audit_record(obj=user, actor=actor, from_status="active", to_status="erased", reason=reason)
    return user
