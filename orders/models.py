"""Orders: carts, orders split per seller, lines with snapshots, units, payments, refunds, the ledger, payouts.

Money columns are `<name>_amount` (integer minor units) beside one `currency` column per row.
The database refuses what must never happen: a refund total above what was captured,
a negative quantity, a status outside its lifecycle, a Stripe event processed twice,
two payouts for one seller, currency and pay date.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, Organisation
from marketplace.money import Money
from orders.states import (
    CancelledBy,
    OrderStatus,
    PaymentStatus,
    PayoutStatus,
    RefundStatus,
    SellerOrderStatus,
    ShopperStatus,
    is_late,
    order_shopper_status,
    parcel_shopper_status,
)

DEFAULT_COMMISSION_BASIS_POINTS = 1000  # 10 %


def _order_number() -> str:
    # Unambiguous upper-case letters and digits: read over the phone, typed from a packing slip.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "E" + "".join(secrets.choice(alphabet) for _ in range(9))


class CommissionRate(models.Model):
    """The platform's commission on a category (DOMAIN.md: default 10 %, configurable per category)."""

    category = models.OneToOneField(
        "catalog.Category", on_delete=models.CASCADE, related_name="commission_rate", verbose_name=_("category")
    )
    basis_points = models.PositiveIntegerField(_("commission (basis points)"), help_text=_("1000 = 10 %"))

    class Meta:
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(basis_points__lte=10000), name="commission_rate_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.basis_points / 100:.2f} %"


class Cart(models.Model):
    """A shopper's cart: an anonymous session's, or a user's (the session's merges into it at login)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    # The price the shopper saw when adding: a change before payment is shown plainly.
    seen_price_amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("added_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("cart", "listing"), name="cart_line_unique_listing"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x listing {self.listing_id}"

    @property
    def seen_price(self) -> Money:
        return Money(self.seen_price_amount, self.currency)


class OrderChannel(models.TextChoices):
    STOREFRONT = "storefront", _("Storefront")
    PARTNER = "partner", _("Partner API")


class OrderQuerySet(models.QuerySet["Order"]):
    def excluding_audits(self) -> OrderQuerySet:
        """Orders that are sales to customers: mystery orders (audits paid by the platform) left out.
        GMV, sales and commission figures start here."""
        return self.filter(is_audit=False)


class Order(models.Model):
    """What a shopper (or a partner's customer) bought in one checkout, all sellers together."""

    number = models.CharField(_("order number"), max_length=12, unique=True, default=_order_number)
    channel = models.CharField(_("channel"), max_length=16, choices=OrderChannel.choices)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    partner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_orders",
        verbose_name=_("partner"),
    )
    partner_reference = models.CharField(_("partner's reference"), max_length=100, blank=True)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+", verbose_name=_("market"))
    currency = models.CharField(_("currency"), max_length=3)
    total_amount = models.BigIntegerField(_("total (minor units, all-in)"))
    vat_amount = models.BigIntegerField(_("VAT included (minor units)"), default=0)
    # Markets whose prices exclude tax (US): the sales tax added at checkout, of the state shipped to
    # (`orders.sales_tax`); `total_amount` includes it. Zero, with no state, everywhere else.
    sales_tax_amount = models.BigIntegerField(_("sales tax (minor units)"), default=0)
    sales_tax_rate = models.DecimalField(_("sales tax rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, help_text=_("US state code (upper case)"))
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_line = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2)
    created_at = models.DateTimeField(_("placed"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("payment due by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    # A mystery order (DOMAIN.md): bought by the platform's auditors and paid by the platform
    # (`PaymentProvider.PLATFORM`, booked to `LedgerAccount.AUDIT_COST`). To the seller it is an order like
    # any other, and it counts in the seller's metrics; it is NOT a sale to a customer: GMV and sales
    # figures exclude it (`Order.objects.excluding_audits()`). Never shown to sellers or partners.
    is_audit = models.BooleanField(_("mystery order (audit)"), default=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=OrderChannel.values), name="order_channel_valid"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(sales_tax_amount__gte=0) & Q(sales_tax_amount__lte=F("total_amount")),
                name="order_sales_tax_within_total",
            ),
            models.CheckConstraint(
                condition=Q(channel=OrderChannel.STOREFRONT) | Q(partner__isnull=False),
                name="order_partner_channel_has_partner",
            ),
            models.CheckConstraint(
                condition=Q(is_audit=False) | Q(channel=OrderChannel.STOREFRONT, partner__isnull=True),
                name="order_audit_is_a_storefront_order",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("buyer", "created_at"), name="order_buyer_created"),
            models.Index(fields=("partner", "created_at"), name="order_partner_created"),
            # The expiry sweep: unpaid orders by due time.
            models.Index(
                fields=("expires_at",), name="order_pending_expiry", condition=Q(status=OrderStatus.PENDING_PAYMENT)
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Money:
        return Money(self.total_amount, self.currency)

    @property
    def vat(self) -> Money:
        return Money(self.vat_amount, self.currency)

    @property
    def sales_tax(self) -> Money:
        return Money(self.sales_tax_amount, self.currency)

    @property
    def subtotal(self) -> Money:
        """The goods before sales tax (the total itself where prices include tax)."""
        return Money(self.total_amount - self.sales_tax_amount, self.currency)

    def sales_tax_on(self, goods: Money) -> Money:
        """The sales tax this order charged on `goods` of it (its tax in proportion, rounded half up): what a
        refund of those goods gives back with them. Zero where no sales tax was charged."""
        before_tax = self.total_amount - self.sales_tax_amount
        if self.sales_tax_amount <= 0 or before_tax <= 0:
            return Money.zero(self.currency)
        raw = Decimal(goods.amount) * self.sales_tax_amount / before_tax
        return Money(min(self.sales_tax_amount, int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))), self.currency)

    @property
    def shopper_status(self) -> ShopperStatus:
        """The order's one status as its buyer reads it (`orders.states.order_shopper_status`); reads the
        parcels through `seller_orders.all()`, so prefetch them for a list."""
        return order_shopper_status(self.status, [seller_order.status for seller_order in self.seller_orders.all()])


class SellerOrder(models.Model):
    """The part of an order one seller fulfils: its own status, parcel and money."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="seller_orders")
    seller = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seller_orders", verbose_name=_("seller")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SellerOrderStatus.choices, default=SellerOrderStatus.PENDING_PAYMENT
    )
    currency = models.CharField(_("currency"), max_length=3)
    subtotal_amount = models.BigIntegerField(_("total of the lines (minor units)"))
    commission_amount = models.BigIntegerField(_("platform commission (minor units)"))
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=10, choices=CancelledBy.choices, blank=True, default=CancelledBy.NOBODY
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("seller order")
        verbose_name_plural = _("seller orders")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("order", "seller"), name="seller_order_one_per_seller"),
            models.CheckConstraint(condition=Q(status__in=SellerOrderStatus.values), name="seller_order_status_valid"),
            models.CheckConstraint(condition=Q(subtotal_amount__gte=0), name="seller_order_subtotal_not_negative"),
            models.CheckConstraint(
                condition=Q(commission_amount__gte=0) & Q(commission_amount__lte=F("subtotal_amount")),
                name="seller_order_commission_within_subtotal",
            ),
            models.CheckConstraint(
                condition=~Q(status=SellerOrderStatus.SHIPPED) | ~Q(tracking_number=""),
                name="seller_order_shipped_has_tracking",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller", "status", "created_at"), name="seller_order_seller_status"),
            models.Index(
                fields=("shipped_at",), name="seller_order_shipped_due", condition=Q(status=SellerOrderStatus.SHIPPED)
            ),
            models.Index(
                fields=("delivered_at",),
                name="seller_order_delivered_due",
                condition=Q(status=SellerOrderStatus.DELIVERED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.seller_id}"

    @property
    def reference(self) -> str:
        return f"{self.order.number}-{self.pk}"

    @property
    def subtotal(self) -> Money:
        return Money(self.subtotal_amount, self.currency)

    @property
    def commission(self) -> Money:
        return Money(self.commission_amount, self.currency)

    @property
    def seller_net(self) -> Money:
        return self.subtotal - self.commission

    @property
    def shopper_status(self) -> ShopperStatus:
        """This parcel's status as its buyer reads it (`orders.states.parcel_shopper_status`)."""
        return parcel_shopper_status(self.status)

    @property
    def return_window_ends_at(self) -> datetime | None:
        """The end of the return window: delivery + ORDERS_RETURN_WINDOW_DAYS (30), the moment the seller
        order completes. None before delivery."""
        if self.delivered_at is None:
            return None
        return self.delivered_at + timedelta(days=settings.ORDERS_RETURN_WINDOW_DAYS)

    def is_late(self, now: datetime | None = None) -> bool:
        if self.status in (SellerOrderStatus.CANCELLED, SellerOrderStatus.PENDING_PAYMENT):
            return False
        return is_late(ship_by_at=self.ship_by, shipped_at=self.shipped_at, now=now or timezone.now())


class OrderLine(models.Model):
    """One unit type in a seller order, with a snapshot of the offer as bought.

    Later catalog edits (price, name, warranty) never change a placed order.
    """

    seller_order = models.ForeignKey(SellerOrder, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey(
        "catalog.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_amount = models.BigIntegerField(_("unit price (minor units, all-in)"))
    currency = models.CharField(max_length=3)
    commission_basis_points = models.PositiveIntegerField(_("commission (basis points)"))
    # Snapshot of what was bought.
    product_name = models.CharField(_("product"), max_length=150)
    product_slug = models.CharField(max_length=160)
    category_id_snapshot = models.BigIntegerField(null=True, blank=True)
    variant_label = models.CharField(_("version"), max_length=200)
    grade_code = models.CharField(_("grade"), max_length=16)
    grade_name = models.CharField(_("grade name"), max_length=40)
    seller_name = models.CharField(_("seller"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"))

    class Meta:
        ordering = ("id",)
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_amount__gt=0), name="order_line_price_positive"),
            models.CheckConstraint(condition=Q(warranty_months__gte=12), name="order_line_warranty_12_months"),
        ]
        indexes: ClassVar = [models.Index(fields=("listing",), name="order_line_listing")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_amount, self.currency)

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


class IdentifierKind(models.TextChoices):
    IMEI = "imei", _("IMEI")
    SERIAL = "serial", _("Serial number")


class OrderUnit(models.Model):
    """One physical unit shipped on a line: its IMEI or serial ties the line, warranty, claims, trade-ins."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="units")
    identifier = models.CharField(_("IMEI or serial"), max_length=32)
    identifier_kind = models.CharField(_("kind"), max_length=8, choices=IdentifierKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes: ClassVar = [models.Index(fields=("identifier",), name="order_unit_identifier")]

    def __str__(self) -> str:
        return self.identifier


class BlockedDevice(models.Model):
    """The platform's blocklist of reported-stolen devices: a unit on it can never be shipped."""

    identifier = models.CharField(_("IMEI or serial"), max_length=32, unique=True)
    reason = models.CharField(_("reason"), max_length=200, default="reported stolen")
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked device")
        verbose_name_plural = _("blocked devices")

    def __str__(self) -> str:
        return self.identifier


class PaymentProvider(models.TextChoices):
    STRIPE = "stripe", _("Stripe")
    TEST = "test", _("Test payments (no money moves)")
    INVOICE = "invoice", _("Partner invoice")
    PLATFORM = "platform", _("Paid by the platform (mystery order)")


class Payment(models.Model):
    """The charge of one order. `refunded_amount` can never pass `captured_amount` (checked by the DB)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment")
    provider = models.CharField(_("provider"), max_length=10, choices=PaymentProvider.choices)
    reference = models.CharField(_("provider reference"), max_length=100, null=True, blank=True, unique=True)
    client_secret = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(_("amount (minor units)"))
    captured_amount = models.BigIntegerField(_("captured (minor units)"), default=0)
    refunded_amount = models.BigIntegerField(_("refunded (minor units)"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="payment_refunded_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("captured_amount")), name="payment_refund_within_capture"
            ),
            models.CheckConstraint(condition=Q(captured_amount__lte=F("amount")), name="payment_capture_within_amount"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference or self.pk}"

    @property
    def refundable(self) -> Money:
        return Money(self.captured_amount - self.refunded_amount, self.currency)


class RefundMethod(models.TextChoices):
    PROVIDER = "provider", _("To the payment method")
    CREDIT_NOTE = "credit_note", _("Credit note on the partner's invoice")


class Refund(models.Model):
    """Money going back to a buyer: recorded first (pending, with its idempotency key), then sent to the
    provider, then marked succeeded (`orders.services.refunds`). A crash between the provider's answer and
    the mark leaves it pending; the retry sends the same key, so the provider never pays twice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    seller_order = models.ForeignKey(
        SellerOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    # What goes back to the buyer: the goods and, on a US order, the sales tax charged on them
    # (`sales_tax_amount`, part of `amount`; the state is owed it no more). The seller's share is the goods'.
    amount = models.BigIntegerField(_("amount (minor units)"))
    sales_tax_amount = models.BigIntegerField(_("sales tax (minor units)"), default=0, db_default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    method = models.CharField(_("method"), max_length=12, choices=RefundMethod.choices, default=RefundMethod.PROVIDER)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(sales_tax_amount__gte=0) & Q(sales_tax_amount__lte=F("amount")),
                name="refund_sales_tax_within_amount",
            ),
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="refund_status_valid"),
            models.CheckConstraint(condition=Q(method__in=RefundMethod.values), name="refund_method_valid"),
        ]
        indexes: ClassVar = [
            # The retry sweep: refunds still pending, oldest first.
            models.Index(fields=("created_at",), name="refund_pending", condition=Q(status=RefundStatus.PENDING)),
        ]

    def __str__(self) -> str:
        return f"refund {self.reference or self.pk}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def goods(self) -> Money:
        """What the refund gives back of the goods (the amount less its sales tax): the seller's part."""
        return Money(self.amount - self.sales_tax_amount, self.currency)

    @property
    def sales_tax(self) -> Money:
        return Money(self.sales_tax_amount, self.currency)


class LineHold(models.Model):
    """Part of a line's money kept out of the seller's payout while a claim or a return is open on it
    (DOMAIN.md). Placed and released by `orders.services.holds` for the app that opened the claim or
    return; `source` names it ("claim-12", "return-7") and makes each hold happen once. The ledger books
    the amount from the seller's pending or payable account into `seller_held`, and back on release."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="holds")
    seller_order = models.ForeignKey(SellerOrder, on_delete=models.PROTECT, related_name="holds")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("held for"), max_length=40, unique=True)
    units = models.PositiveIntegerField(_("units"))
    amount = models.BigIntegerField(_("amount held (minor units)"))
    currency = models.CharField(max_length=3)
    placed_at = models.DateTimeField(_("held since"), default=timezone.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ("-placed_at", "-id")
        verbose_name = _("payout hold")
        verbose_name_plural = _("payout holds")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="line_hold_amount_not_negative"),
            models.CheckConstraint(condition=Q(units__gte=1), name="line_hold_units_positive"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller",), name="line_hold_open", condition=Q(released_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"hold {self.source}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class ProcessedStripeEvent(models.Model):
    """A Stripe event id seen once: inserted in the transaction that acts on it, so a replay changes nothing."""

    event_id = models.CharField(primary_key=True, max_length=100)
    type = models.CharField(max_length=100)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("processed Stripe event")
        verbose_name_plural = _("processed Stripe events")

    def __str__(self) -> str:
        return self.event_id


class SellerPayoutAccount(models.Model):
    """Where a seller is paid: its Stripe Connect account, created when the seller's owner connects it from
    the back-office (`orders.services.connect`), its state kept from Stripe's `account.updated` events.
    Payouts go only to an account whose payouts Stripe enabled."""

    seller = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="payout_account")
    stripe_account_id = models.CharField(_("Stripe Connect account"), max_length=100, unique=True)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    charges_enabled = models.BooleanField(_("charges enabled"), default=False)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    requirements_due = models.JSONField(_("requirements due"), default=list, blank=True)
    disabled_reason = models.CharField(_("disabled reason"), max_length=100, blank=True)
    is_test = models.BooleanField(_("test account (no money moves)"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    synced_at = models.DateTimeField(_("state from Stripe at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return self.stripe_account_id


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Dispute(models.Model):
    """A card dispute (chargeback) on an order's payment, one row per seller order it touches
    (`orders.services.disputes`): while it is open the seller's net share of the disputed amount is held
    in the ledger's `seller_held`; won, it is released; lost, the disputed amount is booked as lost and the
    seller's share debited."""

    stripe_dispute_id = models.CharField(_("Stripe dispute"), max_length=100)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    seller_order = models.ForeignKey(SellerOrder, on_delete=models.PROTECT, related_name="disputes")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("disputed (minor units)"))
    held_amount = models.BigIntegerField(_("held (minor units)"))
    currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ("-opened_at", "-id")
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("stripe_dispute_id", "seller_order"), name="dispute_once_per_seller_order"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(
                condition=Q(held_amount__gte=0) & Q(held_amount__lte=F("amount")), name="dispute_held_within_amount"
            ),
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller",), name="dispute_open", condition=Q(status=DisputeStatus.OPEN)),
        ]

    def __str__(self) -> str:
        return f"dispute {self.stripe_dispute_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def held(self) -> Money:
        return Money(self.held_amount, self.currency)


class Payout(models.Model):
    """One transfer to a seller for its available balance in one currency on one pay date."""

    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(_("amount (minor units)"))
    pay_date = models.DateField(_("pay date"))
    status = models.CharField(_("status"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    idempotency_key = models.CharField(max_length=100, unique=True)
    transfer_reference = models.CharField(_("transfer"), max_length=100, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-pay_date", "-id")
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("seller", "currency", "pay_date"), name="payout_once_per_date"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"),
        ]

    def __str__(self) -> str:
        return f"payout {self.pay_date} {self.seller_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class LedgerAccount(models.TextChoices):
    """Double entry: each journal's entries sum to zero. Debits positive, credits negative.

    cash: the platform's money at Stripe (or owed by a partner on invoice: receivable).
    seller_pending: owed to a seller, still inside the return window.
    seller_available: owed to a seller and payable.
    commission: the platform's revenue.
    """

    CASH = "cash", _("Cash at the payment provider")
    RECEIVABLE = "receivable", _("Receivable from partners")
    SELLER_PENDING = "seller_pending", _("Owed to seller, in return window")
    SELLER_AVAILABLE = "seller_available", _("Owed to seller, payable")
    COMMISSION = "commission", _("Platform commission")
    SELLER_HELD = "seller_held", _("Owed to seller, held while a claim or return is open")
    # Trade-in (booked by trade-in through `orders.services.ledger`): devices bought, what is owed
    # for them (store credit to shoppers, credit to partners), and lots sold to refurbishers.
    TRADEIN_STOCK = "tradein_stock", _("Traded-in devices bought")
    STORE_CREDIT = "store_credit", _("Store credit owed to shoppers")
    PARTNER_PAYABLE = "partner_payable", _("Owed to partners")
    TRADEIN_SALES = "tradein_sales", _("Trade-in lots sold")
    # Seller performance: a payout retainer's share of a sale, held 60 days; what mystery orders cost.
    SELLER_RETAINED = "seller_retained", _("Owed to seller, retained (payout retainer)")
    AUDIT_COST = "audit_cost", _("Mystery orders paid by the platform")
    # US sales tax collected with the sale (Encore is the marketplace facilitator): owed to the states.
    SALES_TAX = "sales_tax", _("Sales tax collected, owed to the states")


class LedgerKind(models.TextChoices):
    SALE = "sale", _("Sale")
    RELEASE = "release", _("Return window over")
    REFUND = "refund", _("Refund")
    PAYOUT = "payout", _("Payout")
    HOLD = "hold", _("Held for a claim or return")
    HOLD_RELEASE = "hold_release", _("Hold released")
    TRADEIN_PURCHASE = "tradein_purchase", _("Trade-in bought")
    TRADEIN_LOT_SALE = "tradein_lot_sale", _("Trade-in lot sold")
    STORE_CREDIT_SPENT = "store_credit_spent", _("Store credit spent")
    STORE_CREDIT_RETURNED = "store_credit_returned", _("Store credit given back")
    RETAINER = "retainer", _("Retained (payout retainer)")
    RETAINER_RELEASE = "retainer_release", _("Retainer released")
    # Card disputes (`orders.services.disputes`): the seller's share held while open, released when won,
    # booked as lost (money gone to the cardholder, the seller's share debited) when lost.
    DISPUTE = "dispute", _("Held for a card dispute")
    DISPUTE_RELEASE = "dispute_release", _("Dispute won, hold released")
    DISPUTE_LOST = "dispute_lost", _("Dispute lost")


class LedgerEntry(models.Model):
    journal = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=24, choices=LedgerKind.choices)
    account = models.CharField(max_length=20, choices=LedgerAccount.choices)
    seller = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seller_order = models.ForeignKey(
        SellerOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    payout = models.ForeignKey(Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    amount = models.BigIntegerField(_("amount (minor units, debit +, credit -)"))
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(kind__in=LedgerKind.values), name="ledger_kind_valid"),
            models.CheckConstraint(condition=Q(account__in=LedgerAccount.values), name="ledger_account_valid"),
            # A sale and its release are booked once per seller order and account.
            models.UniqueConstraint(
                fields=("seller_order", "kind", "account"),
                condition=Q(kind__in=["sale", "release"]),
                name="ledger_sale_release_once",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("seller", "account", "currency"), name="ledger_seller_account")]

    def __str__(self) -> str:
        return f"{self.kind} {self.account} {self.amount}"

    @property
    def owed(self) -> Money:
        """Seen from the seller: what this entry adds to what the platform owes it."""
        return Money(-self.amount, self.currency)


# --- payout measures: a success manager's sanctions on a seller's money (seller performance) ------
class PayoutMeasureKind(models.TextChoices):
    RETAINER = "retainer", _("Payout retainer")
    DEFERRAL = "deferral", _("Deferred payouts")


class PayoutMeasure(models.Model):
    """A measure on a seller's payouts, placed by a success manager (DOMAIN.md, sanctions) through the
    sellers app, which calls `orders.services.measures` (orders never imports sellers).

    - retainer: a share (`basis_points` of the seller's net) of each sale paid from `starts_at` until
      `ends_at` is held for `hold_days` (60) in `seller_retained`, then released by itself;
    - deferral: no payout to the seller before `ends_at` (its payable balance waits).
    Lifted early by `lifted_at`."""

    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payout_measures")
    kind = models.CharField(_("measure"), max_length=10, choices=PayoutMeasureKind.choices)
    basis_points = models.PositiveIntegerField(_("share retained (basis points)"), null=True, blank=True)
    hold_days = models.PositiveSmallIntegerField(_("days each share is held"), null=True, blank=True)
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("why"))
    placed_by = models.CharField(_("placed by"), max_length=200)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        ordering = ("-starts_at", "-id")
        verbose_name = _("payout measure")
        verbose_name_plural = _("payout measures")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(kind__in=PayoutMeasureKind.values), name="payout_measure_kind_valid"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="payout_measure_ends_after_start"),
            models.CheckConstraint(
                condition=Q(kind=PayoutMeasureKind.DEFERRAL, basis_points__isnull=True)
                | Q(
                    kind=PayoutMeasureKind.RETAINER,
                    basis_points__gte=1,
                    basis_points__lte=10000,
                    hold_days__gte=1,
                ),
                name="payout_measure_retainer_has_share",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("seller", "kind", "ends_at"), name="payout_measure_live", condition=Q(lifted_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.seller_id} until {self.ends_at:%Y-%m-%d}"


class RetainedSale(models.Model):
    """The share of one sale (a seller order) a payout retainer holds, and when it comes back."""

    seller_order = models.OneToOneField(SellerOrder, on_delete=models.PROTECT, related_name="retained")
    measure = models.ForeignKey(PayoutMeasure, on_delete=models.PROTECT, related_name="retained_sales")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("retained (minor units)"))
    currency = models.CharField(max_length=3)
    retained_at = models.DateTimeField(_("retained"), default=timezone.now)
    release_at = models.DateTimeField(_("released on"))
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ("release_at", "id")
        verbose_name = _("retained sale")
        verbose_name_plural = _("retained sales")
        constraints: ClassVar = [models.CheckConstraint(condition=Q(amount__gt=0), name="retained_sale_positive")]
        indexes: ClassVar = [
            # The release sweep: shares still retained, by their date.
            models.Index(fields=("release_at",), name="retained_sale_due", condition=Q(released_at=None)),
        ]

    def __str__(self) -> str:
        return f"retained {self.amount} {self.currency} of {self.seller_order_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


# --- store credit: a wallet per shopper and currency ---------------------------------------------
class StoreCreditKind(models.TextChoices):
    TRADEIN = "tradein", _("Trade-in payout")
    SPENT = "spent", _("Spent on an order")
    RETURNED = "returned", _("Given back (order refunded or not paid)")
    TAKEN_BACK = "taken_back", _("Taken back (the refund failed)")


class StoreCreditAccount(models.Model):
    """A shopper's store credit in one currency. The balance never goes below zero (a CHECK, and
    spending is one conditional UPDATE), so two checkouts spending it at once cannot overdraw it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_credit_accounts")
    currency = models.CharField(_("currency"), max_length=3)
    balance_amount = models.BigIntegerField(_("balance (minor units)"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("store credit account")
        verbose_name_plural = _("store credit accounts")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("user", "currency"), name="store_credit_one_per_currency"),
            models.CheckConstraint(condition=Q(balance_amount__gte=0), name="store_credit_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.balance}"

    @property
    def balance(self) -> Money:
        return Money(self.balance_amount, self.currency)


class StoreCreditEntry(models.Model):
    """One movement of a wallet: credited by a trade-in, spent on an order, given back, taken back (a
    refund that gave it back failed for good). The entries of an account sum to its balance.
    `reference` makes a movement happen once per kind (a trade-in's reference, an order number, a
    refund's key)."""

    account = models.ForeignKey(StoreCreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=StoreCreditKind.choices)
    amount = models.BigIntegerField(_("amount (minor units, credit +, spent -)"))
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="store_credit_entries"
    )
    reference = models.CharField(_("reference"), max_length=100)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("store credit entry")
        verbose_name_plural = _("store credit entries")
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(kind__in=StoreCreditKind.values), name="store_credit_kind_valid"),
            models.CheckConstraint(condition=~Q(amount=0), name="store_credit_entry_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind__in=[StoreCreditKind.SPENT, StoreCreditKind.TAKEN_BACK]) & Q(amount__lt=0))
                | (~Q(kind__in=[StoreCreditKind.SPENT, StoreCreditKind.TAKEN_BACK]) & Q(amount__gt=0)),
                name="store_credit_entry_sign",
            ),
            # A trade-in credits once; an order spends once; each give-back has its own reference.
            models.UniqueConstraint(fields=("kind", "reference"), name="store_credit_entry_once"),
        ]
        indexes: ClassVar = [models.Index(fields=("account", "created_at"), name="store_credit_account_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


# --- forward trade-in: the guaranteed buy-back taken at checkout (orders/buyback.py) ---------------
class BuybackGuaranteeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REDEEMED = "redeemed", _("Redeemed")


class BuybackGuarantee(models.Model):
    """A free guaranteed buy-back for one unit of an order line, taken at checkout: the price of each
    month up to 24 is fixed then (`schedule`, minor units, month 0 first) from the category's
    depreciation curve. Trade-in redeems it (`redemption_reference`: the trade-in's code); a redemption
    whose trade-in falls through (expired, sent back) makes it active again. It counts only while its
    order is paid and the line not refunded (`orders.selectors`)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="buyback_guarantees")
    unit_number = models.PositiveSmallIntegerField(_("unit"), default=1)
    currency = models.CharField(max_length=3)
    price_paid_amount = models.BigIntegerField(_("price paid (minor units)"))
    schedule = models.JSONField(_("guaranteed price per month (minor units)"))
    curve = models.CharField(_("depreciation curve"), max_length=40)
    starts_at = models.DateTimeField(_("taken"))
    ends_at = models.DateTimeField(_("redeemable until"))
    status = models.CharField(
        _("status"), max_length=10, choices=BuybackGuaranteeStatus.choices, default=BuybackGuaranteeStatus.ACTIVE
    )
    redemption_reference = models.CharField(_("redeemed by trade-in"), max_length=12, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed"), null=True, blank=True)

    class Meta:
        ordering = ("starts_at", "id")
        verbose_name = _("guaranteed buy-back")
        verbose_name_plural = _("guaranteed buy-backs")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("line", "unit_number"), name="buyback_one_per_unit"),
            models.CheckConstraint(condition=Q(status__in=BuybackGuaranteeStatus.values), name="buyback_status_valid"),
            models.CheckConstraint(condition=Q(price_paid_amount__gt=0), name="buyback_price_paid_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="buyback_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status=BuybackGuaranteeStatus.ACTIVE, redemption_reference="")
                | (Q(status=BuybackGuaranteeStatus.REDEEMED) & ~Q(redemption_reference="")),
                name="buyback_redeemed_has_reference",
            ),
        ]
        indexes: ClassVar = [
            # Finance's liability and the reminders: active guarantees by their end.
            models.Index(fields=("ends_at",), name="buyback_active_ends", condition=Q(status="active")),
        ]

    def __str__(self) -> str:
        return f"buy-back {self.line_id}/{self.unit_number}"

    @property
    def price_paid(self) -> Money:
        return Money(self.price_paid_amount, self.currency)
