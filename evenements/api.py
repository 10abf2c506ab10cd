"""Read-only JSON API of the events: /api/evenements/ (list with the page's filters) and detail."""

from django.db.models import Prefetch
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from rest_framework import routers, serializers, viewsets

from participation.api.pagination import PageNumberPagination
from participation.api.query import QueryParameters, slug_parameter
from participation.territory.models import Quartier

from .filters import DATE_ERROR, EvenementFilter
from .models import Evenement


class EvenementSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    quartiers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    objectifs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    places_left = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Places restantes ; vide : sans limite.")
    )
    is_full = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()
    ical_url = serializers.SerializerMethodField()
    image = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = Evenement
        fields = [
            "id",
            "url",
            "ical_url",
            "kind",
            "kind_label",
            "title",
            "description",
            "quartiers",
            "place_name",
            "address",
            "directions",
            "latitude",
            "longitude",
            "starts_at",
            "ends_at",
            "organiser_kind",
            "organiser_name",
            "accessibility",
            "objectifs",
            "image",
            "image_alt",
            "registration_required",
            "capacity",
            "places_left",
            "is_full",
            "status",
            "status_label",
            "cancellation_reason",
        ]
        read_only_fields = fields

    def get_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    def get_ical_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(
            f"{event.get_absolute_url()}evenement.ics"
        )


class EvenementParameters(QueryParameters):
    quartier = slug_parameter(_("Slug du quartier (ex. « rimbart »)."))
    type = serializers.ChoiceField(
        choices=Evenement.Kind.choices,
        required=False,
        allow_blank=True,
        help_text=_("Type d'événement."),
    )
    du = serializers.DateField(
        required=False,
        error_messages={"invalid": DATE_ERROR},
        help_text=_("À partir de ce jour (AAAA-MM-JJ). Sans lui : ce qui n'est pas fini."),
    )
    au = serializers.DateField(
        required=False,
        error_messages={"invalid": DATE_ERROR},
        help_text=_("Jusqu'à ce jour (AAAA-MM-JJ)."),
    )
    ouvert = serializers.BooleanField(
        required=False, help_text=_("Seulement les événements ouverts aux inscriptions.")
    )


class EvenementPagination(PageNumberPagination):
    page_size = 20

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["messages"] = getattr(self.request, "filter_messages", [])
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["messages"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "Pourquoi un filtre est impossible (la liste est alors vide).",
        }
        return schema


class EvenementViewSet(viewsets.ReadOnlyModelViewSet):
    """Events of the four quartiers: stands, tables rondes, Nos Quartiers d'Été, permanences.

    Without ``du``, only events not yet ended are listed, soonest first. Times are ISO 8601
    with their offset (Europe/Paris).
    """

    serializer_class = EvenementSerializer
    filterset_class = EvenementFilter
    query_parameters = EvenementParameters
    pagination_class = EvenementPagination

    def get_queryset(self):
        return (
            Evenement.objects.public()
            .prefetch_related(
                Prefetch("quartiers", queryset=Quartier.objects.only("slug")), "objectifs"
            )
            .order_by("starts_at", "pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


router = routers.DefaultRouter()
router.register("evenements", EvenementViewSet, basename="evenement")

urlpatterns = [path("", include(router.urls))]
