"""The person's own account pages: the hub linking every part of it, and their data (download, erase)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.forms import EraseAccountForm
from marketplace.privacy import user_data_export, user_erase
from marketplace.requests import AuthenticatedRequest


@login_required
def account(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "account/account.html", {"erase_form": EraseAccountForm(user=request.user)})


@login_required
def data_export(request: AuthenticatedRequest) -> HttpResponse:
    """Everything Encore stores about the person, as a JSON download."""
    data = user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="encore-my-data-{stamp}.json"'
    return response


@require_POST
@login_required
def erase(request: AuthenticatedRequest) -> HttpResponse:
    form = EraseAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "account/account.html", {"erase_form": form}, status=400)
    try:
        user_erase(user=request.user, actor=Actor.for_user(request.user))
    except ApplicationError as error:  # a reason to wait (money on its way to the person): nothing erased
        form.add_error(None, error.message)
        return render(request, "account/account.html", {"erase_form": form}, status=409)
    logout(request)
    messages.success(request, _("Your account is erased. Orders and warranties stay, without your details."))
    return redirect("home")
