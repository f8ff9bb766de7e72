from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from catalog.models import Grade, Variant
from marketplace.models import Market, MembershipRole, Scope
from marketplace.money import Money
from sellers.models import LegalForm
from sellers.states import TerminationGround
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
            (m.code, m.display_name) for m in Market.objects.filter(is_active=True).order_by("country")
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
    keep_cap = forms.BooleanField(
        label=_("Keep the listing cap (5 new listings a day) during the 30 days after a reinstatement"),
        required=False,
    )


class TerminationForm(forms.Form):
    """The confirmation page of a termination: its ground and the statement of reasons sent to the seller."""

    ground = forms.ChoiceField(label=_("Ground"), choices=TerminationGround.choices)
    reason = forms.CharField(
        label=_("Statement of reasons"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The facts and the rules behind the decision, as the seller will read them (EU platform-to-business "
            "rules). Recorded and e-mailed to the seller."
        ),
    )


class ScoreFormulaForm(forms.Form):
    """A new version of the score formula, prefilled with the current one (`FORMULA_FIELDS`)."""

    note = forms.CharField(label=_("What changed and why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, field_labels: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (field_labels or {}).items():
            self.fields[name] = forms.IntegerField(label=label, min_value=0, max_value=100000)


class AuditSampleForm(forms.Form):
    """Draw a sample of sellers for mystery orders: its size and how much more likely new and low-scored
    sellers are to be drawn."""

    size = forms.IntegerField(label=_("Sellers to audit"), min_value=1, max_value=100, initial=5)
    weight_new = forms.IntegerField(
        label=_("Weight of a new seller (no score yet)"), min_value=0, max_value=100, initial=3
    )
    weight_low_score = forms.IntegerField(
        label=_("Weight of a low-scored seller"), min_value=0, max_value=100, initial=4
    )
    weight_other = forms.IntegerField(label=_("Weight of any other seller"), min_value=0, max_value=100, initial=1)
    low_score_below = forms.IntegerField(label=_("A low score is below"), min_value=1, max_value=100, initial=70)


class AuditOrderForm(forms.Form):
    """Where the mystery order is delivered: the platform's audit desk, under a shopper's name."""

    full_name = forms.CharField(label=_("Name on the parcel"), max_length=150)
    email = forms.EmailField(label=_("E-mail for the order"))
    address_line = forms.CharField(label=_("Address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)


class AuditFindingForm(forms.Form):
    """What was found on one unit of a mystery order."""

    grade_as_claimed = forms.BooleanField(label=_("Grade as claimed"), required=False)
    battery_as_stated = forms.BooleanField(label=_("Battery as stated"), required=False)
    measured_battery = forms.IntegerField(
        label=_("Measured battery health (%)"), min_value=0, max_value=100, required=False
    )
    identifier_matches = forms.BooleanField(label=_("Identifier matches"), required=False)
    wiped_and_unlocked = forms.BooleanField(label=_("Wiped and unlocked"), required=False)
    accessories_complete = forms.BooleanField(label=_("Accessories as described"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    photos = MultipleFileField(
        label=_("Photos (JPEG, PNG or HEIC)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.heic,image/jpeg,image/png,image/heic"}),
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


class ListingForm(forms.Form):
    """Shape of the create/edit form; the rules live in `listing_create` / `listing_update`."""

    variant = forms.ModelChoiceField(
        label=_("Product variant"), queryset=Variant.objects.all(), widget=forms.HiddenInput
    )
    grade = forms.ModelChoiceField(
        label=_("Grade"), queryset=Grade.objects.all(), to_field_name="code", empty_label=None
    )
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.filter(is_active=True), empty_label=None)
    battery_health = forms.IntegerField(label=_("Battery health (%)"), min_value=0, max_value=100)
    warranty_months = forms.IntegerField(label=_("Warranty (months)"), min_value=12, initial=12)
    price = forms.DecimalField(label=_("Price, all-in"), min_value=0, decimal_places=2, max_digits=12)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, initial=1)
    sku = forms.CharField(label=_("SKU"), max_length=64)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("active", _("Active")), ("draft", _("Draft")), ("paused", _("Paused"))],
        initial="active",
    )

    def __init__(self, *args: Any, editing: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            self.fields["variant"].disabled = True
            self.fields["market"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        market, price = cleaned.get("market"), cleaned.get("price")
        if market is not None and price is not None:
            try:
                cleaned["price_amount"] = Money.from_decimal(price, market.currency).amount
            except ValueError:
                self.add_error("price", _("%(currency)s has no cents.") % {"currency": market.currency})
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV with the template's columns; at most 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
