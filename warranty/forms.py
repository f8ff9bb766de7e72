"""After-sales forms: they check the shape; the services check the rules (and give the errors pages show)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.errors import ApplicationError
from warranty.photos import MAX_PHOTOS
from warranty.states import ClaimCategory, ReportReason, Resolution, ReturnReason, ScanStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to 5 photos in one input; their content is checked by the service (`warranty.photos`)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,.heic"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(PhotosField, self).clean(item, initial) for item in files]


def add_service_errors(form: forms.BaseForm, error: ApplicationError) -> None:
    """Put a service's field errors next to their fields (the others above the form)."""
    placed = False
    for item in error.errors:
        field = item.get("field", "")
        if field in form.fields:
            form.add_error(field, item["message"])
            placed = True
    if not placed:
        form.add_error(None, error.message)


STARS = [(n, str(n)) for n in range(5, 0, -1)]


class ClaimForm(forms.Form):
    category = forms.ChoiceField(label=_("What is wrong?"), choices=ClaimCategory.choices)
    description = forms.CharField(
        label=_("Describe the problem"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("When it happens, what you tried. At least 10 characters."),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to %(count)d photos, JPEG, PNG or HEIC, 10 MB each.") % {"count": MAX_PHOTOS},
    )


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to %(count)d photos, JPEG, PNG or HEIC, 10 MB each.") % {"count": MAX_PHOTOS},
    )


class DisputeForm(forms.Form):
    message = forms.CharField(
        label=_("Why do you disagree?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RespondForm(forms.Form):
    resolution = forms.ChoiceField(label=_("You propose"), choices=Resolution.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the customer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, allowed: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["resolution"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            field.choices = [(value, label) for value, label in Resolution.choices if value in allowed]
            if len(allowed) == 1:
                field.initial = next(iter(allowed))  # the rule of three leaves one choice: it is the answer


class ResolveForm(forms.Form):
    identifier = forms.CharField(
        label=_("IMEI or serial of the replacement unit"),
        max_length=32,
        required=False,
        help_text=_("Checked as at shipping: a valid IMEI or serial number, not reported stolen."),
    )


DECISIONS = [
    ("repair", _("Repair")),
    ("replace", _("Replacement")),
    ("refund", _("Refund")),
    ("reject", _("Reject: not covered by the warranty")),
]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (shown to the customer and the seller)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, allowed: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["decision"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            field.choices = [(value, label) for value, label in DECISIONS if value in allowed or value == "reject"]


class ReturnForm(forms.Form):
    units = forms.TypedMultipleChoiceField(
        label=_("Units to return"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    reason = forms.ChoiceField(
        label=_("Why (optional: no reason is needed)"), choices=ReturnReason.choices, initial=ReturnReason.CHANGED_MIND
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = list(units)
        field.error_messages["required"] = _("Choose at least one unit to return.")


class ReviewForm(forms.Form):
    seller_stars = forms.TypedChoiceField(
        label=_("The seller (delivery, packaging, communication)"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    unit_stars = forms.TypedChoiceField(
        label=_("The device (condition as graded, battery, working)"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your review (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your public reply"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown under the review on your page. You can reply once."),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why report this review?"), choices=ReportReason.choices)
    details = forms.CharField(label=_("Details (optional)"), max_length=1000, required=False)


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("hide", _("Hide")), ("keep", _("Keep"))])
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScanForm(forms.Form):
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)
    status = forms.ChoiceField(label=_("Scan"), choices=ScanStatus.choices)
    occurred_at = forms.DateTimeField(
        label=_("When (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), required=False
    )
