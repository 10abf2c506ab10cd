"""The référent edits the whole referential here; every change goes to the audit log."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from participation.audit.services import record

from .models import Agglomeration, Commune, Enjeu, Finding, Indicator, Objectif, Quartier


def _values(obj, names) -> dict:
    return {name: str(getattr(obj, name, "")) for name in names}


def _audit(request, action: str, obj, before=None, after=None) -> None:
    record(
        actor=request.user,
        action=f"referentiel.{action}",
        target=obj,
        before=before,
        after=after,
        reason=str(_("Administration du référentiel")),
    )


class AuditedAdmin(admin.ModelAdmin):
    """Writes one audit entry per created, changed or deleted object, inlines included."""

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in form.fields]
        before = {name: str(form.initial.get(name, "")) for name in changed} if change else None
        super().save_model(request, obj, form, change)
        _audit(
            request, "modification" if change else "creation", obj, before, _values(obj, changed)
        )

    @transaction.atomic
    def delete_model(self, request, obj):
        _audit(request, "suppression", obj, before={"texte": str(obj)})
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit(request, "suppression", obj, before={"texte": str(obj)})
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _audit(request, "suppression", obj, before={"texte": str(obj)})
            obj.delete()
        changed = {id(obj): fields for obj, fields in formset.changed_objects}
        for obj in instances:
            obj.save()
            if id(obj) in changed:
                _audit(request, "modification", obj, after=_values(obj, changed[id(obj)]))
            else:
                _audit(request, "creation", obj, after={"texte": str(obj)})
        formset.save_m2m()


@admin.register(Agglomeration)
class AgglomerationAdmin(AuditedAdmin):
    list_display = ["short_name", "name", "quartiers_count", "qpv_count", "qic_count"]
    search_fields = ["name", "short_name"]


@admin.register(Commune)
class CommuneAdmin(AuditedAdmin):
    list_display = ["name", "slug", "agglomeration"]
    list_filter = ["agglomeration"]
    list_select_related = ["agglomeration"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["position", "key", "label", "short_label", "value", "agglomeration_value", "unit"]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["kind", "position", "text"]


class ObjectifInline(admin.TabularInline):
    model = Objectif
    extra = 0
    fields = ["enjeu", "position", "orientation", "intercommunal", "operationnel"]


@admin.register(Quartier)
class QuartierAdmin(AuditedAdmin):
    list_display = ["name", "code", "commune", "population", "surface_ha", "position"]
    list_filter = ["status", "communes"]
    list_select_related = ["commune"]
    search_fields = ["name", "short_name", "code", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["communes"]
    inlines = [IndicatorInline, FindingInline, ObjectifInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "code", "status", "position"]}),
        (_("Territoire"), {"fields": ["commune", "communes", "surface_ha"]}),
        (
            _("Population et portrait"),
            {
                "fields": [
                    "population",
                    "population_approximate",
                    "population_trend",
                    "statistics_source",
                ]
            },
        ),
        (_("Page d'accueil"), {"fields": ["summary"]}),
    ]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["label", "quartier", "value", "agglomeration_value", "unit", "position"]
    list_filter = ["quartier", "key"]
    list_select_related = ["quartier"]
    search_fields = ["label", "short_label", "key"]


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["text", "quartier", "kind", "position"]
    list_filter = ["kind", "quartier"]
    list_select_related = ["quartier"]
    search_fields = ["text"]


@admin.register(Enjeu)
class EnjeuAdmin(AuditedAdmin):
    list_display = ["number", "title", "plain_title"]
    search_fields = ["title", "plain_title"]


@admin.register(Objectif)
class ObjectifAdmin(AuditedAdmin):
    list_display = ["intercommunal", "operationnel", "quartier", "enjeu", "position"]
    list_filter = ["quartier", "enjeu", "orientation"]
    list_select_related = ["quartier", "enjeu"]
    search_fields = ["orientation", "intercommunal", "operationnel"]
