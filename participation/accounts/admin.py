from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from . import scope, services
from .models import Role, User

# Django's own admin login would skip allauth: no second factor, no rate limits. Everyone
# signs in through allauth; a signed-in account that is not staff gets a 403.
admin.site.login = secure_admin_login(admin.site.login)


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "quartier", "notify_by", "role", "communes", "is_active"]

    def clean(self):
        cleaned_data = super().clean()
        editor = getattr(self, "editor", None)
        if editor is not None and self.instance.pk == editor.pk:
            if cleaned_data.get("role") != Role.REFERENT:
                self.add_error(
                    "role",
                    _(
                        "Vous ne pouvez pas retirer votre propre rôle de référent·e : demandez-le à un·e autre référent·e."
                    ),
                )
            if cleaned_data.get("is_active") is False:
                self.add_error("is_active", _("Vous ne pouvez pas désactiver votre propre compte."))
        if self.instance.deleted_at is not None and cleaned_data.get("is_active"):
            self.add_error(
                "is_active",
                _("Ce compte a été supprimé par son titulaire : il ne peut pas être réactivé."),
            )
        return cleaned_data


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = [
        "email",
        "phone",
        "display_name",
        "role",
        "quartier",
        "has_totp",
        "is_active",
        "date_joined",
    ]
    list_filter = ["role", "communes", "quartier", "is_active"]
    filter_horizontal = ["communes"]
    list_select_related = ["quartier"]
    search_fields = ["email", "phone", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "phone", "display_name", "quartier", "notify_by"]}),
        (
            _("Rôle et accès"),
            {
                "fields": ["role", "communes", "is_active"],
                "description": _(
                    "Les rôles médiateur·rice, membre d'une instance et référent·e donnent accès à "
                    "des données personnelles : à sa prochaine visite, la personne devra activer "
                    "la double authentification. Chaque changement est inscrit au journal."
                ),
            },
        ),
        (_("Dates"), {"fields": ["date_joined", "last_login", "deleted_at"]}),
    ]
    # The email and the phone are logins verified by allauth: their owner changes them.
    readonly_fields = ["email", "phone", "date_joined", "last_login", "deleted_at"]

    def get_queryset(self, request):
        totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        return super().get_queryset(request).annotate(totp_enabled=Exists(totp))

    @admin.display(boolean=True, description=_("double authentification"), ordering="totp_enabled")
    def has_totp(self, obj) -> bool:
        return obj.totp_enabled

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class FormWithEditor(form_class):
            editor = request.user

        return FormWithEditor

    def save_model(self, request, obj, form, change):
        # Audited in save_related, once the communes (a many-to-many) are saved too.
        form.access_before = (
            services.access_snapshot(User.objects.get(pk=obj.pk)) if change else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        scope.forget(form.instance)
        services.record_access_change(
            actor=request.user, user=form.instance, before=form.access_before
        )

    def has_add_permission(self, request) -> bool:
        # People create their own account (and verify their email); the référent then gives roles.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Accounts are deleted by their owner (RGPD), not from the admin.
        return False
