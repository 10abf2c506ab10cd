from django import forms
from django.contrib import admin

from . import services
from .models import Evenement, Inscription, Series


class InscriptionInline(admin.TabularInline):
    model = Inscription
    extra = 0
    fields = ["user", "name", "adults", "children", "status", "attended"]
    raw_id_fields = ["user"]
    readonly_fields = ["status"]


class EvenementAdminForm(forms.ModelForm):
    """The admin's form (model and fields given by the admin) with the image re-encoded."""

    def clean_image(self):
        # The admin saves without the services: the image is re-encoded here, as they do.
        return services.clean_image(self.cleaned_data.get("image"))


@admin.register(Evenement)
class EvenementAdmin(admin.ModelAdmin):
    form = EvenementAdminForm
    list_display = ["title", "kind", "starts_at", "place_name", "capacity", "status"]
    list_filter = ["kind", "status", "quartiers"]
    search_fields = ["title", "place_name", "organiser_name"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["quartiers", "objectifs"]
    raw_id_fields = ["series", "created_by"]
    inlines = [InscriptionInline]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "frequency", "interval_weeks", "until"]


@admin.register(Inscription)
class InscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "adults", "children", "requested_at", "attended"]
    list_filter = ["status"]
    raw_id_fields = ["evenement", "user", "registered_by"]
