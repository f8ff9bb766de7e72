from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market
from orders.sales_tax import STATE_CHOICES


class CheckoutForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.ChoiceField(
        label=_("State"), choices=STATE_CHOICES, help_text=_("Sales tax is charged at your state's rate.")
    )

    def __init__(self, *args: Any, market: Market, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if market.prices_include_tax:
            del self.fields["state"]  # only where prices exclude tax (the US) does the state decide it
        else:  # the totals above the form show the state's tax as soon as it is chosen (htmx)
            self.fields["state"].widget.attrs.update(
                {
                    "hx-get": reverse("orders:checkout_totals"),
                    "hx-target": "#order-totals",
                    "hx-swap": "outerHTML",
                    "hx-trigger": "change",
                }
            )


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
