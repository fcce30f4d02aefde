import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.actors import Actor
from safework.core.errors import ValidationFailed

from . import services
from .forms import CodeForm
from .middleware import SESSION_KEY

_PENDING = "safework_2fa_pending_secret"


def _actor(request) -> Actor:
    return Actor(user=request.user, ip=request.client_ip, request_id=request.request_id)


@login_required
def totp_setup(request):
    if not services.totp_offered(request.user):
        raise PermissionDenied(
            _("Two-factor sign-in is offered to administrators and safety managers.")
        )
    if services.totp_enabled(request.user):
        return render(request, "accounts/totp_enabled.html", {"form": CodeForm()})
    secret = request.session.get(_PENDING) or services.totp_new_secret()
    request.session[_PENDING] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enable(
                actor=_actor(request),
                user=request.user,
                secret=secret,
                code=form.cleaned_data["code"],
            )
        except ValidationFailed as exc:
            form.add_error("code", exc.errors["code"])
        else:
            request.session.pop(_PENDING, None)
            request.session[SESSION_KEY] = True
            return redirect("accounts:totp_setup")
    uri = services.totp_uri(user=request.user, secret=secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5)
    return render(
        request, "accounts/totp_setup.html", {"form": form, "secret": secret, "qr_svg": qr_svg}
    )


@login_required
def totp_verify(request):
    form = CodeForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        if services.totp_check(
            actor=_actor(request), user=request.user, code=form.cleaned_data["code"]
        ):
            request.session.cycle_key()
            request.session[SESSION_KEY] = True
            return redirect(next_url)
        form.add_error("code", _("The code is wrong or expired; enter the current code."))
    return render(request, "accounts/totp_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def totp_disable(request):
    form = CodeForm(request.POST)
    if form.is_valid() and services.totp_check(
        actor=_actor(request), user=request.user, code=form.cleaned_data["code"]
    ):
        services.totp_disable(actor=_actor(request), user=request.user)
        return redirect("accounts:totp_setup")
    form.add_error("code", _("The code is wrong or expired; enter the current code."))
    return render(request, "accounts/totp_enabled.html", {"form": form}, status=400)
