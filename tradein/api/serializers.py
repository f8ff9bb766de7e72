"""Trade-in API shapes (API.md, Partner: trade-in paths; Seller: trade-in lots)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.api.fields import MoneyField
from orders.api.serializers import CustomerSerializer  # API.md: the customer of an order's shape
from tradein.models import Batch, Lot, TradeIn
from tradein.services.payloads import batch_payload, tradein_payload
from tradein.states import (
    BatchStatus,
    Condition,
    CounterOfferOutcome,
    CounterOfferReason,
    PayoutMethod,
    PayoutStatus,
    TradeInStatus,
)


class AnswerSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    question = serializers.CharField()
    answers = AnswerSerializer(many=True)


class QuestionnaireSerializer(serializers.Serializer):
    category = serializers.CharField()
    results = QuestionSerializer(many=True)


class QuoteCreateSerializer(serializers.Serializer):
    product = serializers.SlugField(max_length=160, help_text="The product model's slug.")
    variant = serializers.IntegerField(min_value=1, help_text="A variant of that product (its storage prices it).")
    market = serializers.CharField(max_length=2, help_text="Market code: the quote is in its currency.")
    answers = serializers.DictField(
        child=serializers.CharField(max_length=40),
        help_text="Question code -> answer code, one per question of the category's questionnaire.",
    )


class QuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=TradeInStatus.choices)
    declared_condition = serializers.ChoiceField(choices=Condition.choices)
    price = MoneyField()
    expires_at = serializers.DateTimeField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "reference": instance.reference,
            "status": instance.status,
            "declared_condition": instance.declared_condition,
            "price": instance.offer.as_dict(),
            "expires_at": serializers.DateTimeField().to_representation(instance.expires_at),
        }


class PayoutSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PayoutMethod.choices)
    iban = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    account_holder = serializers.CharField(max_length=70, required=False, allow_blank=True, default="")


class QuoteAcceptSerializer(serializers.Serializer):
    customer = CustomerSerializer()
    payout = PayoutSerializer()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TimelineSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TradeInStatus.choices)
    at = serializers.DateTimeField()


class PayoutStateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PayoutMethod.choices)
    status = serializers.ChoiceField(choices=PayoutStatus.choices, allow_null=True)
    amount = MoneyField(allow_null=True)


class InspectionSerializer(serializers.Serializer):
    condition = serializers.ChoiceField(choices=Condition.choices)
    identifier_last4 = serializers.CharField()
    activation_lock = serializers.BooleanField()
    battery_health = serializers.IntegerField(allow_null=True)
    inspected_at = serializers.DateTimeField()


class CounterOfferSerializer(serializers.Serializer):
    price = MoneyField()
    reason = serializers.ChoiceField(choices=CounterOfferReason.choices)
    note = serializers.CharField()
    expires_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=CounterOfferOutcome.choices)
    return_tracking_number = serializers.CharField(allow_null=True)


class TradeInSerializer(serializers.Serializer):
    """The trade-in as its GET returns it (also the `data` of `tradein.*` webhook events)."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The code on the label and its QR code.")
    status = serializers.ChoiceField(choices=TradeInStatus.choices)
    product = serializers.CharField()
    product_name = serializers.CharField()
    variant = serializers.IntegerField()
    market = serializers.CharField()
    declared_condition = serializers.ChoiceField(choices=Condition.choices)
    answers = serializers.DictField(child=serializers.CharField())
    offer = MoneyField()
    expires_at = serializers.DateTimeField(help_text="Until when the quote may be accepted.")
    final_price = MoneyField(
        allow_null=True, help_text="The price once inspected (the offer, or the accepted counter-offer)."
    )
    payout = PayoutStateSerializer(allow_null=True)
    partner_reference = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField(allow_null=True)
    send_by = serializers.DateTimeField(allow_null=True)
    label_url = serializers.URLField(allow_null=True, help_text="The prepaid shipping label (PDF).")
    received_at = serializers.DateTimeField(allow_null=True)
    inspection = InspectionSerializer(allow_null=True)
    counter_offer = CounterOfferSerializer(allow_null=True)
    certificate_url = serializers.URLField(allow_null=True, help_text="The data-erasure certificate (PDF), once wiped.")
    verify_url = serializers.URLField(allow_null=True, help_text="The public page confirming the certificate.")
    certificate_number = serializers.CharField(allow_null=True)
    timeline = TimelineSerializer(many=True)
    store_credit_bonus = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: TradeIn) -> dict[str, Any]:
        timelines = self.context.get("timelines")
        timeline = timelines.get(instance.pk, []) if timelines is not None else None
        payload = tradein_payload(instance, timeline)
        datetime_field = serializers.DateTimeField()
        for key in ("expires_at", "send_by", "received_at", "created_at"):
            if payload[key] is not None:
                payload[key] = datetime_field.to_representation(payload[key])
        for nested, key in (("inspection", "inspected_at"), ("counter_offer", "expires_at")):
            if payload[nested] is not None:
                payload[nested][key] = datetime_field.to_representation(payload[nested][key])
        payload["timeline"] = [
            {"status": row["status"], "at": datetime_field.to_representation(row["at"])} for row in payload["timeline"]
        ]
        return payload


class LotDeviceSerializer(serializers.Serializer):
    reference = serializers.CharField()
    identifier = serializers.CharField(allow_null=True, help_text="Shown to the buyer once the lot is theirs.")
    condition = serializers.ChoiceField(choices=Condition.choices)
    battery_health = serializers.IntegerField(allow_null=True)
    answers = serializers.DictField(child=serializers.CharField())
    certificate_number = serializers.CharField(allow_null=True)


class LotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    product = serializers.CharField()
    product_name = serializers.CharField()
    condition = serializers.ChoiceField(choices=Condition.choices)
    count = serializers.IntegerField()
    fixed_price = MoneyField(allow_null=True)
    reserve = MoneyField()
    best_bid = MoneyField(allow_null=True)
    your_bid = MoneyField(allow_null=True)
    closes_at = serializers.DateTimeField()
    price = MoneyField(allow_null=True, help_text="What the lot sold for (lots you bought).")
    devices = LotDeviceSerializer(many=True)

    def to_representation(self, lot: Lot) -> dict[str, Any]:
        seller = self.context.get("seller")
        bids = list(lot.bids.all())
        best = max(bids, key=lambda bid: bid.amount, default=None)
        mine = next((bid for bid in bids if seller is not None and bid.seller_id == seller.pk), None)
        bought = seller is not None and lot.buyer_id == seller.pk
        devices = list(lot.devices.all())
        return {
            "id": lot.pk,
            "status": lot.status,
            "product": lot.product.slug,
            "product_name": lot.product.name,
            "condition": lot.condition,
            "count": len(devices),
            "fixed_price": lot.fixed_price.as_dict() if lot.fixed_price else None,
            "reserve": lot.reserve.as_dict(),
            "best_bid": best.money.as_dict() if best else None,
            "your_bid": mine.money.as_dict() if mine else None,
            "closes_at": serializers.DateTimeField().to_representation(lot.closes_at),
            "price": lot.price.as_dict() if bought and lot.price else None,
            "devices": [
                {
                    "reference": device.reference,
                    "identifier": device.inspection.identifier if bought else None,
                    "condition": device.inspection.condition,
                    "battery_health": device.inspection.battery_health,
                    "answers": device.inspection.answers,
                    "certificate_number": device.certificate.number
                    if bought and hasattr(device, "certificate")
                    else None,
                }
                for device in devices
            ],
        }


class BidSerializer(serializers.Serializer):
    price = MoneyField(help_text="Your bid for the whole lot (the fixed price buys a fixed-price lot at once).")


# --- business batches -------------------------------------------------------------------------------
class BatchRowSerializer(serializers.Serializer):
    """One device of a batch (documents the JSON body; the rows are checked by `tradein.batch_files`)."""

    product = serializers.SlugField(max_length=100, help_text="The model's slug.")
    variant = serializers.IntegerField(min_value=1, help_text="A variant of that model (its storage prices it).")
    identifier = serializers.CharField(max_length=100, help_text="IMEI (15 digits) or serial number.")
    answers = serializers.DictField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Question code -> answer code (the category's questionnaire); or give `condition`.",
    )
    condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, help_text="The declared condition, instead of the answers."
    )


class BatchCounterOfferSerializer(serializers.Serializer):
    price = MoneyField()
    reason = serializers.ChoiceField(choices=CounterOfferReason.choices)
    note = serializers.CharField()
    expires_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=CounterOfferOutcome.choices)


class BatchDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=TradeInStatus.choices)
    product = serializers.CharField()
    product_name = serializers.CharField()
    variant = serializers.IntegerField()
    identifier = serializers.CharField()
    declared_condition = serializers.ChoiceField(choices=Condition.choices)
    offer = MoneyField()
    final_price = MoneyField(allow_null=True)
    parcel = serializers.IntegerField(allow_null=True, help_text="The parcel it travels in, once accepted.")
    counter_offer = BatchCounterOfferSerializer(allow_null=True)
    certificate_number = serializers.CharField(allow_null=True)


class BatchParcelSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    reference = serializers.CharField(help_text="The code on the parcel's label and its QR code.")
    tracking_number = serializers.CharField()
    devices = serializers.IntegerField()
    received_at = serializers.DateTimeField(allow_null=True)


class BatchSerializer(serializers.Serializer):
    """A business batch as its GET returns it."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=BatchStatus.choices)
    market = serializers.CharField()
    device_count = serializers.IntegerField()
    offer_total = MoneyField(help_text="The batch quote: the sum of the devices' offers.")
    expires_at = serializers.DateTimeField(help_text="Until when the batch quote may be accepted.")
    partner_reference = serializers.CharField()
    payout_method = serializers.ChoiceField(choices=PayoutMethod.choices, allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    send_by = serializers.DateTimeField(allow_null=True)
    progress = serializers.DictField(child=serializers.IntegerField(), help_text="Devices per status.")
    parcels = BatchParcelSerializer(many=True)
    devices = BatchDeviceSerializer(many=True)
    labels_url = serializers.URLField(allow_null=True, help_text="The parcels' prepaid labels (PDF), once accepted.")
    report_url = serializers.URLField(help_text="The batch report (PDF): devices, conditions, value, CO2e avoided.")
    certificates_url = serializers.URLField(allow_null=True, help_text="Every erasure certificate (ZIP).")
    credit_note_url = serializers.URLField(allow_null=True, help_text="The credit note (PDF), once a device is paid.")
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Batch) -> dict[str, Any]:
        return batch_payload(instance, self.context.get("devices"))


class BatchSummarySerializer(serializers.Serializer):
    """A batch in a list (without its devices)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=BatchStatus.choices)
    market = serializers.CharField()
    device_count = serializers.IntegerField()
    offer_total = MoneyField()
    expires_at = serializers.DateTimeField()
    partner_reference = serializers.CharField()
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Batch) -> dict[str, Any]:
        field = serializers.DateTimeField()
        return {
            "id": instance.pk,
            "reference": instance.reference,
            "status": instance.status,
            "market": instance.market_id,
            "device_count": instance.device_count,
            "offer_total": instance.offer_total.as_dict(),
            "expires_at": field.to_representation(instance.expires_at),
            "partner_reference": instance.partner_reference,
            "created_at": field.to_representation(instance.created_at),
        }


class BatchAcceptSerializer(serializers.Serializer):
    payout = PayoutSerializer(help_text="bank_transfer (with an IBAN; euro markets) or partner_credit.")
    sender = CustomerSerializer(
        required=False, help_text="Where the parcels leave from; the company's business details when left out."
    )


class BatchDecisionSerializer(serializers.Serializer):
    tradein = serializers.IntegerField(min_value=1, help_text="The device's trade-in id (in the batch).")
    answer = serializers.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])


class BatchCounterOffersSerializer(serializers.Serializer):
    decisions = BatchDecisionSerializer(many=True, allow_empty=False, max_length=5000)
