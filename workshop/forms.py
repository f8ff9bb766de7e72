"""Workshop forms: the shape of what the board's pages post (the services hold the rules)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Grade, Variant
from marketplace.errors import ApplicationError
from marketplace.models import Market, Membership, Organisation
from marketplace.money import Money
from workshop.models import CheckItem, Technician
from workshop.states import BOARD_COLUMNS, Cosmetic, PartOrigin, UnitSource, UnitStatus, WorkerKind

MAX_PART_ROWS = 3


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to 5 photos; their content is checked by the service (`warranty.photos`)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in files if item]


def add_service_errors(form: forms.Form, error: ApplicationError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: field errors where the field is on the form, else the form's."""
    fields = fields or {}
    placed = False
    for item in error.errors:
        name = fields.get(item.get("field", ""), item.get("field", ""))
        if name in form.fields:
            form.add_error(name, item["message"])
            placed = True
    if not placed:
        form.add_error(None, error.message)


def money_amount(text: Decimal | None, currency: str) -> int:
    if text is None:
        return 0
    try:
        return Money.from_decimal(text, currency).amount
    except ValueError:
        raise ValidationError(_("Too many decimals for %(currency)s.") % {"currency": currency}) from None


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All working statuses")), *[(s, UnitStatus(s).label) for s in BOARD_COLUMNS]],
    )
    technician = forms.ChoiceField(label=_("Technician"), required=False)
    age = forms.ChoiceField(
        label=_("Received"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("3", _("3+ days ago")),
            ("7", _("7+ days ago")),
            ("14", _("14+ days ago")),
            ("30", _("30+ days ago")),
        ],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("IMEI, serial or U-number"), required=False, max_length=40)

    def __init__(self, *args: Any, technicians: list[Technician], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("0", _("Unassigned")),
            *[(str(t.pk), t.display_name) for t in technicians],
        ]


class UnitForm(forms.Form):
    identifier = forms.CharField(label=_("IMEI or serial number"), max_length=40)
    variant = forms.ModelChoiceField(
        label=_("Variant"),
        queryset=Variant.objects.select_related("product").order_by("product__name", "position", "pk"),
        widget=forms.HiddenInput,
    )
    source = forms.ChoiceField(label=_("Source"), choices=UnitSource.choices, initial=UnitSource.PURCHASE)
    cost = forms.DecimalField(
        label=_("Purchase cost"), min_value=Decimal(0), max_digits=12, decimal_places=2, required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    technician = forms.ModelChoiceField(
        label=_("Technician"), queryset=Technician.objects.none(), required=False, empty_label=_("By the rules")
    )

    def __init__(self, *args: Any, seller: Organisation, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["technician"].queryset = Technician.objects.filter(seller=seller, active=True)  # type: ignore[attr-defined]
        self.fields["cost"].help_text = _("In %(currency)s; what you paid for the device.") % {"currency": currency}

    def cost_amount(self) -> int:
        return money_amount(self.cleaned_data.get("cost"), self.currency)


class WorkForm(forms.Form):
    """A diagnosis or a repair step: findings, labour, up to three parts, photos."""

    findings = forms.CharField(label=_("Findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    labour_minutes = forms.IntegerField(
        label=_("Labour (minutes)"), min_value=0, max_value=1440, initial=0, required=False
    )
    photos = PhotosField(label=_("Photos"), required=False, help_text=_("JPEG, PNG or HEIC, up to 5, 10 MB each."))

    def __init__(self, *args: Any, with_parts: bool = False, currency: str = "EUR", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_parts = with_parts
        self.currency = currency
        if with_parts:
            for index in range(MAX_PART_ROWS):
                self.fields[f"part_{index}_name"] = forms.CharField(label=_("Part"), required=False, max_length=120)
                self.fields[f"part_{index}_supplier"] = forms.CharField(
                    label=_("Supplier"), required=False, max_length=120
                )
                self.fields[f"part_{index}_origin"] = forms.ChoiceField(
                    label=_("Origin"), choices=PartOrigin.choices, initial=PartOrigin.ORIGINAL, required=False
                )
                self.fields[f"part_{index}_cost"] = forms.DecimalField(
                    label=_("Cost (%(currency)s)") % {"currency": currency},
                    required=False,
                    min_value=Decimal(0),
                    max_digits=12,
                    decimal_places=2,
                )

    def part_rows(self) -> list[dict[str, Any]]:
        """The part fields grouped per row, for the template."""
        return (
            [
                {
                    "name": self[f"part_{index}_name"],
                    "supplier": self[f"part_{index}_supplier"],
                    "origin": self[f"part_{index}_origin"],
                    "cost": self[f"part_{index}_cost"],
                }
                for index in range(MAX_PART_ROWS)
            ]
            if self.with_parts
            else []
        )

    def parts(self) -> list[dict[str, Any]]:
        rows = []
        for index in range(MAX_PART_ROWS if self.with_parts else 0):
            name = (self.cleaned_data.get(f"part_{index}_name") or "").strip()
            if not name:
                continue
            rows.append(
                {
                    "name": name,
                    "supplier": self.cleaned_data.get(f"part_{index}_supplier") or "",
                    "origin": self.cleaned_data.get(f"part_{index}_origin") or PartOrigin.ORIGINAL,
                    "cost_amount": money_amount(self.cleaned_data.get(f"part_{index}_cost"), self.currency),
                }
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for index in range(MAX_PART_ROWS if self.with_parts else 0):
            name = (data.get(f"part_{index}_name") or "").strip()
            if name and data.get(f"part_{index}_cost") is None:
                self.add_error(f"part_{index}_cost", _("The part's cost."))
        return data


class QualityCheckForm(forms.Form):
    """The category's test list as one checkbox per item (checked: passed), and the findings."""

    screen = forms.ChoiceField(label=_("Screen"), choices=Cosmetic.choices)
    body = forms.ChoiceField(label=_("Body"), choices=Cosmetic.choices)
    battery_health = forms.IntegerField(label=_("Battery health (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, items: list[CheckItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.code}"] = forms.BooleanField(label=item.display_name, required=False)

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.code}"] for item in self.items]

    def findings_fields(self) -> list[forms.BoundField]:
        return [self["screen"], self["body"], self["battery_health"], self["note"]]

    def results(self) -> dict[str, bool]:
        return {item.code: bool(self.cleaned_data.get(f"item_{item.code}")) for item in self.items}


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=UnitStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AssignForm(forms.Form):
    technician = forms.ModelChoiceField(
        label=_("Technician"), queryset=Technician.objects.none(), required=False, empty_label=_("Unassigned")
    )

    def __init__(self, *args: Any, seller: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = Technician.objects.filter(seller=seller)  # type: ignore[attr-defined]


class EditUnitForm(forms.Form):
    cost = forms.DecimalField(label=_("Purchase cost"), min_value=Decimal(0), max_digits=12, decimal_places=2)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["cost"].label = _("Purchase cost (%(currency)s)") % {"currency": currency}

    def cost_amount(self) -> int:
        return money_amount(self.cleaned_data.get("cost"), self.currency)


class ListingForm(forms.Form):
    """The listing step, filled from the unit."""

    market = forms.ModelChoiceField(
        label=_("Market"), queryset=Market.objects.filter(is_active=True), to_field_name="code"
    )
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.order_by("rank"), to_field_name="code")
    price = forms.DecimalField(label=_("Price (all-in)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    warranty_months = forms.IntegerField(label=_("Warranty (months)"), min_value=12, max_value=120)
    sku = forms.CharField(
        label=_("SKU"), required=False, max_length=64, help_text=_("Empty: the listing's, or a new one.")
    )

    def __init__(self, *args: Any, suggested: Grade | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page's market picker chooses the market (the price suggestion and the currency follow it): the
        # form carries it hidden, so the page never shows two market choices that could disagree.
        self.fields["market"].widget = forms.HiddenInput()
        if suggested is not None:
            # The seller may list lower, never higher: only the suggested grade and those below it.
            self.fields["grade"].queryset = Grade.objects.filter(rank__gte=suggested.rank).order_by("rank")  # type: ignore[attr-defined]

    def price_amount(self) -> int:
        market: Market = self.cleaned_data["market"]
        return money_amount(self.cleaned_data["price"], market.currency)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: identifier, variant, cost, source, notes."))


class SettingsForm(forms.Form):
    labour_rate = forms.DecimalField(
        label=_("Labour rate per hour"), min_value=Decimal(0), max_digits=12, decimal_places=2
    )
    target_margin_percent = forms.IntegerField(label=_("Target margin (%)"), min_value=0, max_value=99)
    warranty_months = forms.IntegerField(label=_("Warranty on your listings (months)"), min_value=12, max_value=120)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["labour_rate"].label = _("Labour rate per hour (%(currency)s)") % {"currency": currency}
        self.fields["target_margin_percent"].help_text = _(
            "Of the price, after Encore's commission: the price suggestion keeps it."
        )

    def labour_rate_amount(self) -> int:
        return money_amount(self.cleaned_data.get("labour_rate"), self.currency)


class TechnicianForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who"), choices=WorkerKind.choices, initial=WorkerKind.TECHNICIAN)
    user = forms.ModelChoiceField(label=_("Team member"), queryset=Membership.objects.none(), required=False)
    name = forms.CharField(label=_("Partner workshop's name"), required=False, max_length=150)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    capacity_per_day = forms.IntegerField(label=_("Units a day"), min_value=1, max_value=500, initial=5)
    active = forms.BooleanField(label=_("Takes new units"), required=False, initial=True)

    def __init__(self, *args: Any, seller: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = Membership.objects.filter(organisation=seller).select_related("user")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.user.get_full_name() or m.user.email  # type: ignore[attr-defined]
