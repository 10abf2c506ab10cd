from allauth.account.views import SignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from participation.core import hooks
from participation.core.ratelimit import RateLimited
from participation.notifications.services import unread_count

from . import rgpd, scope, services
from .forms import AccountSearchForm, DeleteAccountForm, PhoneSignupForm, ProfileForm, RoleForm
from .models import STAFF_ROLES, Role, User
from .phone import display_phone
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
    context = {
        "form": form,
        "has_totp": has_totp(request.user),
        "phone": display_phone(request.user.phone),
        "sms_enabled": settings.SMS_ENABLED,
    }
    return render(request, "accounts/profile.html", context)


class PhoneSignupView(SignupView):
    """Sign-up with a mobile number alone (``PhoneSignupForm``); allauth's sign-up view, with
    its rate limit per client and its stages (code by SMS, then signed in)."""

    template_name = "account/signup_phone.html"

    def dispatch(self, request, *args, **kwargs):
        if not settings.SMS_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return PhoneSignupForm


signup_by_phone = PhoneSignupView.as_view()


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
                _("Un code vient d'être envoyé à %(email)s.")
                % {"email": rgpd.code_recipient(request.user)},
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


# --- Roles, from the « Espace référent » -------------------------------------------------

# A search names at most this many accounts: a longer list asks for a narrower search.
ROLE_SEARCH_LIMIT = 50


@referent_required
@require_GET
def roles(request):
    """The staff accounts by role, and a search among every account to give one a role."""
    search = AccountSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    found = None
    # A référent given communes sees the residents and the staff of her communes only.
    staff_of_hers = scope.accounts_within(
        request.user, User.objects.filter(role__in=STAFF_ROLES, deleted_at__isnull=True)
    )
    if query:
        matching = User.objects.filter(deleted_at__isnull=True).filter(
            Q(email__icontains=query) | Q(display_name__icontains=query) | Q(phone__icontains=query)
        )
        matching = scope.accounts_manageable_by(request.user, matching)
        found = list(
            matching.prefetch_related("communes").order_by("email")[: ROLE_SEARCH_LIMIT + 1]
        )
    staff = staff_of_hers.prefetch_related("communes").order_by("email")
    groups = {role: [] for role in (Role.REFERENT, Role.MEDIATEUR, Role.COMITE)}
    for account in staff:
        groups[account.role].append(account)
    context = {
        "search": search,
        "query": query,
        "found": found[:ROLE_SEARCH_LIMIT] if found is not None else None,
        "too_many": found is not None and len(found) > ROLE_SEARCH_LIMIT,
        "groups": [(Role(role).label, accounts) for role, accounts in groups.items()],
    }
    return render(request, "accounts/roles.html", context)


@referent_required
@require_http_methods(["GET", "POST"])
def role_change(request, pk):
    """Change one person's role and communes: chosen, then confirmed on a second screen,
    then audited. A référent given communes changes residents and the staff of her
    communes; the others do not exist for her (404)."""
    account = get_object_or_404(User, pk=pk, deleted_at__isnull=True)
    if account.is_staff_role and not scope.account_within(request.user, account):
        raise Http404
    form = RoleForm(request.POST or None, account=account, actor=request.user)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirmed"]:
            try:
                services.change_role(
                    account,
                    role=form.cleaned_data["role"],
                    actor=request.user,
                    communes=form.communes_to_give(),
                )
            except services.RoleChangeRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("« %(name)s » est maintenant : %(role)s.")
                    % {"name": account, "role": account.get_role_display()},
                )
                return redirect("referent_roles")
        else:
            confirming = True
    new_role = form.cleaned_data.get("role") if form.is_bound and form.is_valid() else None
    context = {
        "account": account,
        "form": form,
        "confirming": confirming,
        "new_role_label": Role(new_role).label if new_role else "",
        "new_communes": form.cleaned_data.get("communes") if new_role else None,
        "new_role_is_staff": new_role in STAFF_ROLES,
        "loses_staff_role": account.is_staff_role and new_role not in STAFF_ROLES,
    }
    return render(request, "accounts/role_change.html", context)
