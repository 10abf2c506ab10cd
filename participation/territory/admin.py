"""Django's admin of the referential, for the technical administrator: the référent edits it
in the platform (gestion/). Every change made here goes to the referential's history and the
audit log too (services.record_change), so that load_referentiel keeps it as a platform edit.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Agglomeration,
    Commune,
    Enjeu,
    Finding,
    Indicator,
    Objectif,
    Quartier,
    ReferentielChange,
)

Action = ReferentielChange.Action


def _fields(obj, names, before=None) -> list[dict]:
    """The changed concrete fields, as the history keeps them (many-to-many ones by name)."""
    fields = []
    for name in names:
        field = obj._meta.get_field(name)
        after = services.display(obj, name) if not field.many_to_many else ""
        fields.append(
            {
                "field": name,
                "label": str(field.verbose_name),
                "before": "" if before is None else str(before.get(name, "") or ""),
                "after": after,
            }
        )
    return fields


def _record(request, action: str, obj, fields=()) -> None:
    services.record_change(
        actor=request.user, action=action, target=obj, fields=list(fields), reason="Administration"
    )


class AuditedAdmin(admin.ModelAdmin):
    """Writes one history (and audit) entry per created, changed or deleted object, inlines
    included."""

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in form.fields]
        super().save_model(request, obj, form, change)
        if change:
            if changed:
                _record(request, Action.MODIFICATION, obj, _fields(obj, changed, form.initial))
        else:
            _record(request, Action.CREATION, obj, _fields(obj, changed))

    @transaction.atomic
    def delete_model(self, request, obj):
        _record(request, Action.SUPPRESSION, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _record(request, Action.SUPPRESSION, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _record(request, Action.SUPPRESSION, obj)
            obj.delete()
        changed = {id(obj): fields for obj, fields in formset.changed_objects}
        initial = {id(f.instance): f.initial for f in formset.forms if f.instance.pk is not None}
        for obj in instances:
            obj.save()
            if id(obj) in changed:
                fields = _fields(obj, changed[id(obj)], initial.get(id(obj), {}))
                _record(request, Action.MODIFICATION, obj, fields)
            else:
                _record(request, Action.CREATION, obj)
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
