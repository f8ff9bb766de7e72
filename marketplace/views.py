"""Pages of the kernel: the organisation switch (log-in and sign-up are allauth's, see marketplace/accounts.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.landing import organisation_home_url
from marketplace.tenancy import switch_organisation


@require_POST
def organisation_switch(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    organisation = switch_organisation(request, organisation_id)
    messages.info(request, _("You now act for %(name)s.") % {"name": organisation.name})
    return redirect(organisation_home_url(organisation))
