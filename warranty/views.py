"""The shopper's warranties page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from catalog.markets import current_market
from warranty.selectors import warranty_list_for_shopper


@login_required
def account_warranties(request: HttpRequest) -> HttpResponse:
    warranties = list(warranty_list_for_shopper(shopper=request.user)[:200])
    return render(
        request,
        "warranty/account_warranties.html",
        {"warranties": warranties, "today": timezone.localdate(), "market": current_market(request)},
    )
