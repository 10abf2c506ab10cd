from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from participation.core import hooks
from participation.core.ratelimit import RateLimited
from participation.notifications.services import unread_count

from . import rgpd, services
from .forms import DeleteAccountForm, ProfileForm
from .rules import has_totp, referent_required


@login_required
@require_GET
def my_space(request):
    """« Mon espace »: what she said and where it stands, her registrations, her notifications,
    her account. Each app adds its part (``hooks``, page ``my_space``) and marks « nouveau »
    what changed since her previous visit; this visit then becomes the previous one."""
    user = request.user
    # Taken before anything is read: what changes while the page is drawn stays new.
    now = timezone.now()
    seen_at = user.my_space_seen_at
    context = {
        "unread": unread_count(user),
        **hooks.page_context("my_space", request, seen_at=seen_at),
    }
    response = render(request, "accounts/my_space.html", context)
    services.mark_my_space_seen(user, at=now)
    return response


@referent_required
@require_GET
def referent_space(request):
    """« Espace référent »: the one page from which the référent manages events,
    consultations, instances and their members, roles and the referential, in French. Each
    app adds its part (``hooks``, page ``referent``); Django's admin stays for the technical
    administrator."""
    return render(request, "accounts/referent_space.html", hooks.page_context("referent", request))


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Votre profil est enregistré."))
        return redirect("accounts:profile")
    context = {"form": form, "has_totp": has_totp(request.user)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_GET
def my_data(request):
    context = {"can_delete": rgpd.can_delete_own_account(request.user)}
    return render(request, "accounts/my_data.html", context)


@login_required
@require_GET
def export_data(request):
    """The signed-in person's own data, as a JSON file; no parameter names anyone else."""
    response = HttpResponse(
        rgpd.export_json(request.user), content_type="application/json; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="mes-donnees-participation-auchel-{day}.json"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    allowed = rgpd.can_delete_own_account(request.user)
    if request.method == "POST" and not allowed:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "code":
        try:
            rgpd.send_deletion_code(request)
        except RateLimited as limited:
            messages.error(request, limited.message)
        else:
            messages.success(
                request,
                _("Un code vient d'être envoyé à %(email)s.") % {"email": request.user.email},
            )
        return redirect("accounts:delete")
    form = DeleteAccountForm(request.POST or None, request=request) if allowed else None
    if request.method == "POST" and form.is_valid():
        rgpd.delete_account(request.user, keep_public_expressions=form.keep_public_expressions)
        logout(request)
        return redirect("accounts:deleted")
    context = {
        "form": form,
        "allowed": allowed,
        "needs_code": allowed and not request.user.has_usable_password(),
        "code_sent": rgpd.code_pending(request),
    }
    return render(request, "accounts/delete_account.html", context)


@require_GET
def account_deleted(request):
    return render(request, "accounts/account_deleted.html")
