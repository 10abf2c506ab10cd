from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "role", "quartier", "is_active", "date_joined"]
    list_filter = ["role", "quartier", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "display_name", "quartier", "notify_by_email"]}),
        (_("Rôle et accès"), {"fields": ["role", "is_active"]}),
        (_("Dates"), {"fields": ["date_joined", "last_login"]}),
    ]
    readonly_fields = ["date_joined", "last_login"]

    def has_delete_permission(self, request, obj=None):
        # Accounts are deleted by their owner (RGPD), not from the admin.
        return False
