"""Read-only views for the référent: every write goes through the pages and services.py
(transitions, audit, notifications), never through the admin."""

from django.contrib import admin

from .models import Consultation, Expression, ExpressionStep, Signalement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["title", "opens_on", "closes_on"]
    search_fields = ["title", "question"]
    date_hierarchy = "opens_on"


class StepInline(admin.TabularInline):
    model = ExpressionStep
    fields = ["created_at", "status", "note", "public", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Expression)
class ExpressionAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "created_at",
        "quartier",
        "status",
        "source",
        "visibility",
        "supports_count",
    ]
    list_filter = ["status", "source", "visibility", "quartier"]
    search_fields = ["text"]
    date_hierarchy = "created_at"
    list_select_related = ["quartier"]
    exclude = ["idempotency_key"]
    inlines = [StepInline]


@admin.register(Signalement)
class SignalementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "expression", "reason", "resolved_at"]
    list_filter = ["reason"]
    list_select_related = ["expression"]
