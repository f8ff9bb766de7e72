"""The platform kernel's tables: users, markets, organisations, API keys, audit, events, idempotency."""

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.i18n import country_display
from marketplace.usercache import user_cache_forget


class UserQuerySet(models.QuerySet["User"]):
    def update(self, **kwargs: Any) -> int:
        """A set-based write forgets the cached copies of the users it touches (`marketplace.usercache`)."""
        user_ids = list(self.values_list("pk", flat=True))
        rows = super().update(**kwargs)
        user_cache_forget(user_ids)
        return rows


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address; belongs to organisations through memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class LegalGuarantee(models.TextChoices):
    """The guarantee the law of a market gives a consumer, shown apart from Encore's commercial warranty."""

    EU_CONFORMITY = "eu_conformity", _("EU legal guarantee of conformity (2 years)")
    UK_CONSUMER_RIGHTS = "uk_consumer_rights", _("UK Consumer Rights Act 2015")
    NONE = "none", _("No legal guarantee by law")


class Market(models.Model):
    """A country storefront: its currency, language(s), time zone and VAT rate."""

    code = models.CharField(_("code"), max_length=2, primary_key=True, help_text=_("ISO 3166-1 alpha-2, lower case"))
    country = models.CharField(_("country"), max_length=80)
    currency = models.CharField(_("currency"), max_length=3)
    language = models.CharField(_("main language"), max_length=8)
    languages = ArrayField(models.CharField(max_length=8), verbose_name=_("languages"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    vat_rate_basis_points = models.PositiveIntegerField(_("VAT rate (basis points)"), help_text=_("2000 = 20 %"))
    is_active = models.BooleanField(_("open"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    legal_guarantee = models.CharField(
        _("legal guarantee"), max_length=20, choices=LegalGuarantee.choices, default=LegalGuarantee.NONE
    )
    # US: prices are shown before sales tax, which checkout adds by state; elsewhere prices are all-in.
    prices_include_tax = models.BooleanField(_("prices include tax"), default=True)

    class Meta:
        ordering = ("position", "code")
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[a-z]{2}$"), name="market_code_iso_lower"),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="market_currency_iso"),
            models.CheckConstraint(condition=models.Q(vat_rate_basis_points__lte=10000), name="market_vat_rate_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.country} ({self.code})"

    @property
    def display_name(self) -> str:
        """The country's name in the active language."""
        return country_display(self.country)


class OrganisationKind(models.TextChoices):
    SELLER = "seller", _("Seller")
    PARTNER = "partner", _("Partner")


class Organisation(models.Model):
    """A tenant: a refurbisher that sells, or a partner that uses the API."""

    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2, lower case"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    members = models.ManyToManyField(User, through="Membership", related_name="organisations")
    # Kept by the partners app (`organisation_receives_webhooks_set`): True while the organisation
    # has an enabled webhook endpoint. `emit` reads it from the instance it is given, without a
    # query, to nudge the webhook relay right after commit; the relay's periodic sweep is the
    # guarantee, so a stale value only delays delivery by one sweep.
    receives_webhooks = models.BooleanField(_("receives webhooks"), default=False, editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.STAFF)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("user", "organisation"), name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class Scope(models.TextChoices):
    """API key scopes (API.md)."""

    CATALOG_READ = "catalog:read", _("Read the catalog")
    LISTINGS_WRITE = "listings:write", _("Manage listings")
    ORDERS_READ = "orders:read", _("Read orders")
    ORDERS_WRITE = "orders:write", _("Place and fulfil orders")
    CLAIMS_WRITE = "claims:write", _("Answer warranty claims")
    TRADEIN_WRITE = "tradein:write", _("Run trade-ins")
    WEBHOOKS_WRITE = "webhooks:write", _("Manage webhook endpoints")


class ApiKey(models.Model):
    """An organisation's API key. Only a hash of the secret is kept; the key is shown once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=32, choices=Scope.choices), verbose_name=_("scopes"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """Who moved what from which state to which, when and why. Written by `marketplace.transitions`."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    from_status = models.CharField(_("from"), max_length=40, blank=True)
    to_status = models.CharField(_("to"), max_length=40)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ("-at", "-id")
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes: ClassVar = [models.Index(fields=("content_type", "object_id", "at"), name="audit_object_at")]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id}: {self.from_status} -> {self.to_status}"


class EventType(models.TextChoices):
    """Webhook event types: the whole list of the API contract, declared once here.

    Each is emitted into the outbox (`marketplace.events.emit`) by the service where its change
    happens; `docs/architecture.md` lists which are emitted today and by whom.
    """

    ORDER_PAID = "order.paid"
    ORDER_SHIPPED = "order.shipped"
    ORDER_DELIVERED = "order.delivered"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_REFUNDED = "order.refunded"
    CLAIM_OPENED = "claim.opened"
    CLAIM_ANSWERED = "claim.answered"
    CLAIM_ESCALATED = "claim.escalated"
    CLAIM_RESOLVED = "claim.resolved"
    RETURN_OPENED = "return.opened"
    RETURN_REFUNDED = "return.refunded"
    LISTING_PAUSED = "listing.paused"
    SELLER_STATUS_CHANGED = "seller.status_changed"
    SELLER_SCORE_CHANGED = "seller.score_changed"
    TRADEIN_ACCEPTED = "tradein.accepted"
    TRADEIN_RECEIVED = "tradein.received"
    TRADEIN_INSPECTED = "tradein.inspected"
    TRADEIN_COUNTER_OFFERED = "tradein.counter_offered"
    TRADEIN_PAID = "tradein.paid"
    PING = "ping"


def _event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


class Event(models.Model):
    """The outbox: a domain event written in the same transaction as the change it reports."""

    id = models.CharField(primary_key=True, max_length=40, default=_event_id, editable=False)
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    data = models.JSONField(_("data"))
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Set by the webhook relay once it has turned the event into deliveries (`events_claim_unrelayed`,
    # `events_mark_relayed`); NULL rows are the relay's work queue, found through a partial index.
    relayed_at = models.DateTimeField(_("relayed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes: ClassVar = [
            models.Index(fields=("organisation", "created_at"), name="event_org_created"),
            models.Index(
                fields=("created_at", "id"), name="event_unrelayed", condition=models.Q(relayed_at__isnull=True)
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(type__in=EventType.values), name="event_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    def as_payload(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "created": self.created_at.isoformat(), "data": self.data}


class IdempotencyKey(models.Model):
    """A POST done once per key and owner (organisation or user) for 24 h, with its first response."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    owner = models.CharField(max_length=64, help_text="org:<id> or user:<id>")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The first response exactly as rendered (JSON text: jsonb would reorder its keys), and the
    # headers a client relies on (Location, Retry-After), so that a replay is the same, byte for byte.
    response_text = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_content_type = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("owner", "key"), name="idempotency_owner_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class SentEmail(models.Model):
    """The sent-marker of one e-mail of a task (marketplace/mail.py): written with the send, in one
    transaction, so a task run again after its worker died sends nothing it had already sent.

    Only a key (a hash of the task id and the message's subject and recipients): no personal data."""

    key = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")

    def __str__(self) -> str:
        return self.key
