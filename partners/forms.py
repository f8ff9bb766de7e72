"""Shapes of the partner back-office's and the console's forms; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import EventType, Market, MembershipRole, Scope
from orders.states import OrderStatus
from partners.models import ALL_EVENTS
from partners.states import DeliveryStatus

# What a partner's key may do (listings are a seller's).
PARTNER_SCOPES = [
    Scope.CATALOG_READ,
    Scope.ORDERS_READ,
    Scope.ORDERS_WRITE,
    Scope.CLAIMS_WRITE,
    Scope.TRADEIN_WRITE,
    Scope.WEBHOOKS_WRITE,
]
EVENT_CHOICES = [(ALL_EVENTS, _("All events"))] + [(t.value, t.value) for t in EventType if t != EventType.PING]


class PartnerApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses this key, e.g. “shop checkout”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(s.value, f"{s.value} — {s.label}") for s in PARTNER_SCOPES],
        widget=forms.CheckboxSelectMultiple,
    )


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("Where Encore POSTs the events: an https URL on the public internet."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[ALL_EVENTS],
        help_text=_("“All events” includes the event types added later."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DeliveryStatus.choices]
    )
    event_type = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("Any event")), *[(t.value, t.value) for t in EventType]]
    )


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *OrderStatus.choices]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class PartnerOrganisationForm(forms.Form):
    """Console: a partner organisation and the e-mail address of its first owner."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    owner_email = forms.EmailField(
        label=_("First owner's e-mail address"), help_text=_("They receive an invitation to set up the account.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [
            (m.code, m.country) for m in Market.objects.filter(is_active=True).order_by("country")
        ]
