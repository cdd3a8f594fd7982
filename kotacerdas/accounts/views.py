"""Accepting an invitation: a one-time link to choose a password (Django's token generator); the second
step of signing in (two-factor)."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django_otp import login as otp_login

from kotacerdas.accounts import two_factor
from kotacerdas.accounts.http import AuthenticatedHttpRequest
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event


def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "registration/invitation_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        record_event("user.invitation_accepted", actor=user, object_type="user", object_id=user.pk)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboard:home")
    return render(request, "registration/invitation.html", {"form": form, "invited": user})


# --- two-factor sign-in (kotacerdas.accounts.two_factor) ---


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app (scan, then confirm with a code); recovery codes are shown once."""
    user = request.user
    active = two_factor.has_two_factor(user)
    if active and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:two_factor_verify")
    context: dict[str, object] = {"active": active, "next": _next_url(request)}
    if request.method == "POST" and request.POST.get("action") == "renew" and active:
        codes = two_factor.renew_recovery_codes(user)
        return render(
            request, "registration/two_factor_codes.html", {"codes": codes, "next": context["next"]}
        )
    if request.method == "POST" and not active:
        enrolment = two_factor.confirm_authenticator(user, request.POST.get("code", ""))
        if enrolment is not None:
            otp_login(request, enrolment.device)
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": enrolment.recovery_codes, "next": context["next"]},
            )
        context["error"] = True
    if active:
        context["codes_left"] = two_factor.recovery_codes_left(user)
    else:
        device = two_factor.pending_authenticator(user)
        context["manual_key"] = two_factor.manual_key(device)
        context["required"] = two_factor.requires_two_factor(user)
    return render(
        request, "registration/two_factor_setup.html", context, status=400 if "error" in context else 200
    )


@login_required
def two_factor_qr(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The pending authenticator's QR code (SVG). Never the confirmed one's: its secret is not shown again."""
    if two_factor.has_two_factor(request.user):
        return HttpResponse(status=404)
    device = two_factor.pending_authenticator(request.user)
    response = HttpResponse(two_factor.qr_code_svg(device), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or one recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or not two_factor.has_two_factor(user):  # type: ignore[attr-defined]
        return redirect(next_url)
    context: dict[str, object] = {"next": next_url}
    if request.method == "POST":
        result = two_factor.verify_second_factor(user, request.POST.get("code", ""))
        if result.device is not None:
            otp_login(request, result.device)
            return redirect(next_url)
        context["error"] = "throttled" if result.throttled else "wrong"
    status = 400 if "error" in context else 200
    return render(request, "registration/two_factor_verify.html", context, status=status)
