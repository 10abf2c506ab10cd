"""Read-only JSON API of the events: /api/evenements/ (list with the page's filters) and detail."""

from django.db.models import Prefetch
from django.urls import include, path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import routers, serializers, viewsets

from participation.api.pagination import PageNumberPagination
from participation.territory.models import Quartier

from .filters import EvenementFilter
from .models import Evenement


class EvenementSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    quartiers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    objectifs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    places_left = serializers.SerializerMethodField()
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

    @extend_schema_field(OpenApiTypes.INT)
    def get_places_left(self, event) -> int | None:
        return event.places_left

    def get_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    def get_ical_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(
            f"{event.get_absolute_url()}evenement.ics"
        )


class FilterMessagesBackend(DjangoFilterBackend):
    """An impossible filter gives an empty list and its reasons, never an error page."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        request.filter_messages = filterset.filter_messages()
        return filterset.qs


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
    filter_backends = [FilterMessagesBackend]
    pagination_class = EvenementPagination

    def get_queryset(self):
        return (
            Evenement.objects.with_places()
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
