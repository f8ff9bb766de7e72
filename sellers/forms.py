from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market, MembershipRole, Scope
from sellers.models import LegalForm
from sellers.vat import VAT_FORMATS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ApplicationForm(forms.Form):
    """Shape only: the rules (VAT format, documents by content, charter) are checked by `seller_apply`."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices)
    home_market = forms.ChoiceField(label=_("Country of the business"))
    vat_id = forms.CharField(
        label=_("VAT id"), max_length=20, help_text=_("With its country prefix, e.g. FR40303265045 or DE136695976.")
    )
    address_line = forms.CharField(label=_("Address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    contact_name = forms.CharField(label=_("Contact name"), max_length=150)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    monthly_capacity = forms.IntegerField(label=_("Units refurbished per month"), min_value=1, max_value=1_000_000)
    capacity_description = forms.CharField(
        label=_("Your refurbishing capacity"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Workshop, technicians, test procedures, parts sourcing, data erasure method."),
    )
    documents = MultipleFileField(
        label=_("Proof of refurbishing capacity"),
        help_text=_(
            "PDF, JPEG or PNG, at most 10 MB each (e.g. workshop photos, certifications, company registration)."
        ),
    )
    charter_accepted = forms.BooleanField(
        label=_("I accept the Encore quality charter (version %(version)s)")
        % {"version": settings.QUALITY_CHARTER_VERSION},
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_market"].choices = [
            (m.code, m.country) for m in Market.objects.filter(is_active=True).order_by("country")
        ]
        examples = ", ".join(example for _, example in VAT_FORMATS.values())
        self.fields["vat_id"].widget.attrs["title"] = examples


class DecisionForm(forms.Form):
    decision = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your decision and sent to the seller."),
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses this key, e.g. “ERP sync”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(s.value, f"{s.value} — {s.label}") for s in Scope if s.value != Scope.TRADEIN_WRITE],
        widget=forms.CheckboxSelectMultiple,
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.STAFF)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
