"""The dashboards' filters: a market (or all) and a period (a preset, or from and to)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Market

PRESETS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class ReportFilterForm(forms.Form):
    market = forms.ChoiceField(label=_("Market"), required=False)
    days = forms.TypedChoiceField(
        label=_("Period"),
        required=False,
        coerce=int,
        choices=[(n, _("Last %(days)s days") % {"days": n}) for n in PRESETS] + [(0, _("Dates below"))],
        initial=DEFAULT_DAYS,  # what the page shows before any filter is chosen
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["market"].choices = [("", _("All markets"))] + [
            (market.code, f"{market.display_name} · {market.currency}")
            for market in Market.objects.filter(is_active=True).order_by("code")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days = data.get("days")
        if days:
            data["start"], data["end"] = self.today - timedelta(days=days - 1), self.today
        else:
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                data["start"], data["end"] = self.today - timedelta(days=DEFAULT_DAYS - 1), self.today
            elif start > end:
                raise forms.ValidationError(_("The period starts after it ends."))
            elif (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("A period of at most three years."))
        return data
