"""Read-only views for the technical administrator: every write goes through the pages and
services.py (transitions, audit, notifications), never through the admin — except the
instances, kept here as a fallback (the référent manages them from the « Espace référent »,
consultations/gestion/), every change audited the same way."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from participation.audit.services import record

from . import rules
from .gestion.services import instance_state
from .models import (
    AgendaItem,
    Consultation,
    Etiquette,
    Expression,
    ExpressionStep,
    Instance,
    Redaction,
    Reponse,
    Seance,
    Signalement,
    Transmission,
)


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


# --- Instances (référent): the convention's two and the partners; every change audited ---


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active", "members_count"]
    list_filter = ["kind", "communes", "is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["communes", "members"]
    fields = ["name", "slug", "kind", "description", "communes", "is_active", "members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description=_("membres"), ordering="_members")
    def members_count(self, obj):
        return obj._members

    def has_module_permission(self, request):
        return rules.can_manage_instances(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_manage_instances(request.user)

    def has_add_permission(self, request):
        return rules.can_manage_instances(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.can_manage_instances(request.user)

    def has_delete_permission(self, request, obj=None):
        # An instance that received expressions keeps its history: make it inactive instead.
        if obj is not None and obj.transmissions.exists():
            return False
        return rules.can_manage_instances(request.user)

    def save_model(self, request, obj, form, change):
        # The state before, members included, is read before anything is saved.
        request._instance_before = (
            instance_state(Instance.objects.get(pk=obj.pk)) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        record(
            actor=request.user,
            action="instance.modifiee" if change else "instance.creee",
            target=obj,
            before=getattr(request, "_instance_before", None),
            after=instance_state(obj),
            reason=str(_("Administration des instances")),
        )

    @transaction.atomic
    def delete_model(self, request, obj):
        record(
            actor=request.user,
            action="instance.supprimee",
            target=obj,
            before=instance_state(obj),
            reason=str(_("Administration des instances")),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Etiquette)
class EtiquetteAdmin(ReadOnlyAdmin):
    """Mediators create and rename tags on their own page; here, only to read."""

    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name"]


@admin.register(Transmission)
class TransmissionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "expression", "instance", "created_by"]
    list_filter = ["instance"]
    list_select_related = ["instance", "created_by", "expression"]


@admin.register(Redaction)
class RedactionAdmin(ReadOnlyAdmin):
    """The words before a redaction: the référent alone reaches the admin."""

    list_display = ["created_at", "expression", "created_by", "reason"]
    list_select_related = ["expression", "created_by"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "title", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Seance)
class SeanceAdmin(ReadOnlyAdmin):
    """Séances are prepared on the committee's pages (consultations.committee.services)."""

    list_display = ["starts_at", "instance", "title", "place", "examined_at"]
    list_filter = ["instance"]
    list_select_related = ["instance"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline]


@admin.register(Reponse)
class ReponseAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "instance", "decision", "public", "answered_by"]
    list_filter = ["decision", "public", "instance"]
    list_select_related = ["instance", "answered_by"]
    search_fields = ["text"]
