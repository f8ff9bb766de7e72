"""After-sales API shapes. A claim and a return are written out by `warranty.payloads` (the same shape the
webhooks carry); the read serializers below declare that shape for the OpenAPI schema and delegate to it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.api.fields import MoneyField
from orders.states import RefundStatus
from warranty.models import Claim, Return
from warranty.payloads import claim_data, return_data
from warranty.states import (
    ClaimCategory,
    ClaimStatus,
    EscalationReason,
    Outcome,
    Resolution,
    ReturnReason,
    ReturnStatus,
)


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    content_type = serializers.CharField(read_only=True, help_text="image/jpeg, image/png or image/heic.")
    size = serializers.IntegerField(read_only=True, help_text="Bytes.")


class MessageOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = serializers.ChoiceField(
        choices=["shopper", "partner", "seller", "manager", "platform"], read_only=True, help_text="Who wrote it."
    )
    message = serializers.CharField(read_only=True, help_text="Empty for a message of photos only.")
    created = serializers.DateTimeField(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)


class RefundOutSerializer(serializers.Serializer):
    amount = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=RefundStatus.choices, read_only=True)


class LabelOutSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(read_only=True)
    carrier = serializers.CharField(read_only=True)


class ClaimSerializer(serializers.Serializer):
    """A warranty claim, as `warranty.payloads.claim_data` writes it (and the `claim.*` webhooks carry it)."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ClaimStatus.choices, read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True, allow_null=True)
    category = serializers.ChoiceField(choices=ClaimCategory.choices, read_only=True)
    description = serializers.CharField(read_only=True)
    order = serializers.CharField(read_only=True, help_text="The order's number.")
    seller_order = serializers.IntegerField(read_only=True)
    order_line = serializers.IntegerField(read_only=True)
    unit = serializers.CharField(read_only=True, help_text="The unit's IMEI or serial.")
    resolution = serializers.ChoiceField(choices=Resolution.choices, read_only=True, allow_null=True)
    answer = serializers.CharField(read_only=True, allow_null=True, help_text="The seller's message with its answer.")
    escalation_reason = serializers.ChoiceField(choices=EscalationReason.choices, read_only=True, allow_null=True)
    replacement_unit = serializers.CharField(read_only=True, allow_null=True)
    refund = RefundOutSerializer(read_only=True, allow_null=True)
    label = LabelOutSerializer(read_only=True, allow_null=True)
    opened_at = serializers.DateTimeField(read_only=True)
    answer_due_at = serializers.DateTimeField(read_only=True, help_text="The seller answers by then.")
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    accept_by = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Without an accept or a dispute by then, the answer is accepted."
    )
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    escalated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    unit_received_at = serializers.DateTimeField(read_only=True, allow_null=True)
    repair_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    messages = MessageOutSerializer(many=True, read_only=True)

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        return claim_data(instance)


class ReturnLineOutSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class ReturnRefundOutSerializer(RefundOutSerializer):
    paid_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ReturnLabelOutSerializer(LabelOutSerializer):
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ReturnSerializer(serializers.Serializer):
    """A return, as `warranty.payloads.return_data` writes it (and the `return.*` webhooks carry it)."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ReturnStatus.choices, read_only=True)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, read_only=True)
    order = serializers.CharField(read_only=True)
    seller_order = serializers.IntegerField(read_only=True)
    lines = ReturnLineOutSerializer(many=True, read_only=True)
    units = serializers.ListField(child=serializers.CharField(), read_only=True)
    amount = MoneyField(read_only=True, help_text="What is refunded: the units' prices (shipping is free).")
    refund = ReturnRefundOutSerializer(read_only=True, allow_null=True)
    label = ReturnLabelOutSerializer(read_only=True, allow_null=True)
    opened_at = serializers.DateTimeField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True, allow_null=True)
    refund_due_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Refunded by itself then, if the seller has not marked it received."
    )
    refunded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, instance: Return) -> dict[str, Any]:
        return return_data(instance)


class PartnerReturnSerializer(ReturnSerializer):
    label_url = serializers.URLField(read_only=True, help_text="The prepaid label, a PDF.")

    def to_representation(self, instance: Return) -> dict[str, Any]:
        data = return_data(instance)
        data["label_url"] = self.context["label_url"](instance)
        return data


class PartnerClaimSerializer(ClaimSerializer):
    label_url = serializers.URLField(
        read_only=True, allow_null=True, help_text="The prepaid repair label (a PDF), once a repair is under way."
    )

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        data = claim_data(instance)
        data["label_url"] = self.context["label_url"](instance) if data["label"] else None
        return data


# --- inputs ---------------------------------------------------------------------------------------------
class RespondSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    message = serializers.CharField(max_length=2000, help_text="What you propose, to the customer.")


class MessageInSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=5,
        help_text="Multipart only: up to 5 JPEG, PNG or HEIC photos of 10 MB at most, checked by content.",
    )


class ResolveSerializer(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="A replacement shipped: the new unit's IMEI or serial. A repair: leave out.",
    )


class PartnerClaimCreateSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    unit = serializers.CharField(max_length=32, help_text="The unit's IMEI or serial as recorded at shipping.")
    category = serializers.ChoiceField(choices=ClaimCategory.choices)
    description = serializers.CharField(max_length=2000)


class DisputeSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, help_text="Why the customer disputes the seller's answer.")


class ReturnLineInSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=100)


class ReturnCreateSerializer(serializers.Serializer):
    lines = ReturnLineInSerializer(many=True, allow_empty=False, max_length=50, help_text="Lines of one parcel.")
    reason = serializers.ChoiceField(choices=ReturnReason.choices, default=ReturnReason.CHANGED_MIND)
