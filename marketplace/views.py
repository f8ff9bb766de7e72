"""Pages of the kernel: log-in, sign-up and the organisation switch (the storefront home is catalog.views.home)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.forms import SignUpForm
from marketplace.landing import landing_url, organisation_home_url, safe_next_url
from marketplace.services import user_create
from marketplace.tenancy import switch_organisation


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            full_name=form.cleaned_data["full_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Encore, %(name)s.") % {"name": user.get_short_name()})
        return redirect(safe_next_url(request, request.GET.get("next")) or "home")
    return render(request, "registration/sign_up.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login; where the person lands afterwards is `marketplace.landing`'s decision."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        next_url = self.request.POST.get(self.redirect_field_name, self.request.GET.get(self.redirect_field_name))
        return landing_url(self.request, self.request.user, next_url)


@require_POST
def organisation_switch(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    organisation = switch_organisation(request, organisation_id)
    messages.info(request, _("You now act for %(name)s.") % {"name": organisation.name})
    return redirect(organisation_home_url(organisation))
