"""The seller back-office's performance page (/seller/performance/): the score, each metric against its
threshold, the ladder step, what to improve and the 90-day trend."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.access import seller_member_required
from marketplace.requests import SellerRequest
from sellers import selectors
from sellers.charts import TrendChart, trend_chart
from sellers.selectors.performance import Performance, performance_get


def performance_chart(performance: Performance) -> TrendChart:
    formula = performance.formula
    end = performance.row.day if performance.row is not None else timezone.now().date()
    return trend_chart(
        performance.history,
        end=end,
        days=formula.window_days,
        thresholds=[
            (formula.warning_below, str(_("warning"))),
            (formula.cap_below, str(_("cap"))),
            (formula.suspend_below, str(_("suspension"))),
        ],
    )


def performance_context(performance: Performance) -> dict[str, Any]:
    return {"performance": performance, "chart": performance_chart(performance), "formula": performance.formula}


@seller_member_required
def performance(request: SellerRequest) -> HttpResponse:
    seller = selectors.seller_get(organisation=request.seller_membership.organisation)
    context = {
        "seller": seller,
        "cap": selectors.daily_cap_progress(seller),
        **performance_context(performance_get(seller=seller)),
    }
    return render(request, "seller/performance.html", context)
