"""Accounts through django-allauth: our adapters, forms, the 429 page and the second-factor rule.

- Log-in is by e-mail address (the custom `User` has no username); sign-up asks for the full name too.
- E-mail verification is mandatory (`ACCOUNT_EMAIL_VERIFICATION = "mandatory"`): an account whose
  address is not verified cannot log in, so nobody checks out, applies to sell or joins a team with an
  address they do not control. An invitation link is itself proof of the address (it was sent there).
- Rate limits are allauth's (`ACCOUNT_RATE_LIMITS`), per account and per client address; the client
  address is `marketplace.clientip.client_ip` (the `TRUSTED_PROXY_COUNT` rule the API throttle uses),
  so rotating `X-Forwarded-For` changes nothing. Over a limit the answer is 429 with `Retry-After`.
- Where a person lands after logging in is `marketplace.landing`'s decision; `next` URLs are checked
  by `landing.safe_next_url` (allowed host, no scheme downgrade).
- Two-factor (TOTP, allauth.mfa) is open to everyone and required for platform staff, success managers
  and seller owners before they reach the console, the admin or the seller back-office: without an
  authenticator they are sent to enrol first (`SecondFactorRequiredMiddleware`).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.views import LoginView as AllauthLoginView
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.access import is_success_manager
from marketplace.clientip import client_ip
from marketplace.landing import landing_url, safe_next_url
from marketplace.models import Membership, MembershipRole, OrganisationKind, User

# The longest window of the account rate limits (`ACCOUNT_RATE_LIMITS`): after it, every limit has reset.
RETRY_AFTER_SECONDS = 300


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - a bucket for requests without a peer address

    def is_safe_url(self, url: str | None) -> bool:
        from allauth.core import context

        return bool(url) and safe_next_url(context.request, url) is not None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return landing_url(request, request.user)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.email = str(user.email).strip().lower()
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            user.save()
        return user


class MFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url: str) -> str:
        """The enrolment QR code, drawn with segno (already used for labels) rather than another library."""
        import io

        import segno

        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
        return buffer.getvalue().decode("utf-8")


class LoginForm(AllauthLoginForm):
    """allauth's log-in form with Encore's labels (the address is the login)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me logged in")


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's answer over a rate limit (`ROOT_URLCONF.handler429`): 429 with Retry-After."""
    response = render(request, "429.html", {"retry_after": RETRY_AFTER_SECONDS}, status=HTTPStatus.TOO_MANY_REQUESTS)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class LoginView(AllauthLoginView):
    """allauth's log-in; too many failed attempts answer 429 (allauth shows a form error) like its other limits."""

    def form_invalid(self, form: Any) -> HttpResponse:
        codes = {getattr(error, "code", None) for error in form.errors.as_data().get("__all__", [])}
        if "too_many_login_attempts" in codes:
            return too_many_requests(self.request)
        response: HttpResponse = super().form_invalid(form)
        return response


login_view = LoginView.as_view()


def second_factor_required(user: Any) -> bool:
    """Platform staff, success managers and seller owners must use a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser or is_success_manager(user):
        return True
    return Membership.objects.filter(
        user=user, role=MembershipRole.OWNER, organisation__kind=OrganisationKind.SELLER
    ).exists()


def has_second_factor(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


# The surfaces behind the second factor; the seller application form stays open (an applicant is
# an owner of a seller that does not sell yet).
SECOND_FACTOR_PREFIXES = ("/seller/", "/console/", "/admin/")
SECOND_FACTOR_EXEMPT = ("/seller/apply/",)


class SecondFactorRequiredMiddleware:
    """Sends a person who must use two-factor and has not enrolled to the TOTP enrolment first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(settings, "MFA_REQUIRED_FOR_BACKOFFICE", True)
            and request.path.startswith(SECOND_FACTOR_PREFIXES)
            and not request.path.startswith(SECOND_FACTOR_EXEMPT)
            and request.user.is_authenticated
            and second_factor_required(request.user)
            and not has_second_factor(request.user)
        ):
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?next={quote(request.get_full_path())}")
        return self.get_response(request)
