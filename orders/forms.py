from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CheckoutForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
