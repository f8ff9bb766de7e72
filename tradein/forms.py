"""Trade-in forms: the questionnaire (built from the category's questions), acceptance, inspection, erasure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tradein.questionnaire import Question
from tradein.rules import BANK_TRANSFER_CURRENCIES
from tradein.states import CounterOfferReason, ErasureMethod, ErasureResult, PayoutMethod


class QuestionnaireForm(forms.Form):
    """One radio group per question of the category (the same questions for the owner and the inspector)."""

    def __init__(self, *args: Any, questions: tuple[Question, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.code] = forms.ChoiceField(
                label=question.text,
                choices=[(answer.code, answer.label) for answer in question.answers],
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, str]:
        return {question.code: self.cleaned_data[question.code] for question in self.questions}


class AcceptForm(forms.Form):
    payout_method = forms.ChoiceField(label=_("How do you want to be paid?"), widget=forms.RadioSelect)
    iban = forms.CharField(label=_("IBAN"), max_length=50, required=False, help_text=_("For a bank transfer only."))
    account_holder = forms.CharField(label=_("Account holder"), max_length=70, required=False)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    address_line = forms.CharField(label=_("Address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(PayoutMethod.STORE_CREDIT.value, _("Store credit: your price plus 10 %, to spend on Encore"))]
        if currency in BANK_TRANSFER_CURRENCIES:
            choices.append((PayoutMethod.BANK_TRANSFER.value, _("Bank transfer (SEPA) to your IBAN")))
        self.fields["payout_method"].choices = choices
        self.fields["payout_method"].initial = PayoutMethod.STORE_CREDIT.value
        if currency not in BANK_TRANSFER_CURRENCIES:
            del self.fields["iban"]
            del self.fields["account_holder"]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Trade-in code"),
        max_length=200,
        help_text=_("Scan the label's QR code, or type the code printed under it (T and 9 letters or digits)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}),
    )


class InspectionDetailsForm(forms.Form):
    identifier = forms.CharField(label=_("IMEI or serial number"), max_length=40)
    activation_lock = forms.BooleanField(label=_("Activation lock still on"), required=False)
    liquid_damage = forms.BooleanField(label=_("Liquid damage (indicators, corrosion)"), required=False)
    battery_health = forms.IntegerField(label=_("Battery health (%)"), min_value=0, max_value=100, required=False)
    reason = forms.ChoiceField(
        label=_("Counter-offer reason (if worse than declared)"),
        choices=[("", _("From the answers")), *list(CounterOfferReason.choices)],
        required=False,
    )
    reason_note = forms.CharField(label=_("Note to the owner"), max_length=300, required=False)
    notes = forms.CharField(label=_("Internal notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ErasureForm(forms.Form):
    method = forms.ChoiceField(label=_("Method (NIST SP 800-88)"), choices=ErasureMethod.choices)
    tool = forms.CharField(label=_("Tool"), max_length=100, initial="Blancco Mobile Diagnostics & Erasure")
    result = forms.ChoiceField(label=_("Result"), choices=ErasureResult.choices)


class GridImportForm(forms.Form):
    file = forms.FileField(label=_("Price grid (CSV)"))


class BidForm(forms.Form):
    price = forms.DecimalField(label=_("Your bid for the whole lot"), min_value=0, decimal_places=2, max_digits=12)


# --- business trade-in (partner back-office) ---------------------------------------------------------
class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Device list (CSV or JSON)"),
        help_text=_(
            "One row per device: product, variant, identifier, then condition or the six answers. Up to 5,000 "
            "devices, 2 MB."
        ),
    )
    reference = forms.CharField(label=_("Your reference"), max_length=100, required=False)


class BatchAcceptForm(forms.Form):
    payout_method = forms.ChoiceField(label=_("How should Encore pay you?"), widget=forms.RadioSelect)
    iban = forms.CharField(label=_("IBAN"), max_length=50, required=False, help_text=_("For a bank transfer only."))
    account_holder = forms.CharField(label=_("Account holder"), max_length=70, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(PayoutMethod.PARTNER_CREDIT.value, _("Partner credit: settled with your Encore invoices"))]
        if currency in BANK_TRANSFER_CURRENCIES:
            choices.insert(0, (PayoutMethod.BANK_TRANSFER.value, _("Bank transfer (SEPA) to your IBAN")))
        else:
            del self.fields["iban"]
            del self.fields["account_holder"]
        self.fields["payout_method"].choices = choices
        self.fields["payout_method"].initial = choices[0][0]


class BusinessProfileForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=150)
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), help_text=_("Labels, counter-offers and reports are sent here."))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_line = forms.CharField(label=_("Address the parcels leave from"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
