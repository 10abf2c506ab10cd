"""Read-only JSON API of the referential: quartiers, enjeux, objectifs (open data)."""

import django_filters
from django.db.models import Prefetch
from django.urls import include, path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, routers, serializers, viewsets

from participation.api.query import (
    QueryParameters,
    checked,
    number_parameter,
    slug_parameter,
)

from .models import Commune, Enjeu, Finding, Indicator, Objectif, Quartier


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["slug", "name"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["key", "label", "short_label", "value", "agglomeration_value", "unit"]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["kind", "text", "position"]


class QuartierSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="quartier-detail", lookup_field="slug", read_only=True
    )
    page = serializers.SerializerMethodField(help_text="Adresse de la page publique du quartier.")
    commune = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    communes = CommuneSerializer(many=True, read_only=True)

    class Meta:
        model = Quartier
        fields = [
            "url",
            "page",
            "code",
            "slug",
            "name",
            "short_name",
            "status",
            "commune",
            "communes",
            "population",
            "population_approximate",
            "population_trend",
            "surface_ha",
            "summary",
        ]

    def get_page(self, quartier) -> str:
        request = self.context.get("request")
        url = quartier.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class QuartierDetailSerializer(QuartierSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta(QuartierSerializer.Meta):
        fields = [*QuartierSerializer.Meta.fields, "statistics_source", "indicators", "findings"]


class EnjeuSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enjeu
        fields = ["number", "title", "plain_title"]


class ObjectifSerializer(serializers.ModelSerializer):
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    enjeu = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Objectif
        fields = [
            "id",
            "quartier",
            "enjeu",
            "orientation",
            "intercommunal",
            "operationnel",
            "position",
            "retired_on",
        ]
        extra_kwargs = {
            "retired_on": {
                "help_text": "Date à partir de laquelle l'objectif est retiré (null : en "
                "vigueur) ; un objectif retiré n'est plus proposé, ni sur le site ni en mode "
                "terrain."
            }
        }


class ObjectifFilter(django_filters.FilterSet):
    quartier = django_filters.CharFilter(
        field_name="quartier__slug", help_text="Slug du quartier (ex. rimbart)."
    )
    enjeu = django_filters.NumberFilter(
        field_name="enjeu__number", help_text="Numéro de l'enjeu (1, 2 ou 3)."
    )

    class Meta:
        model = Objectif
        fields = ["quartier", "enjeu"]


class ObjectifParameters(QueryParameters):
    quartier = slug_parameter("Slug du quartier (ex. rimbart).")
    enjeu = number_parameter("Numéro de l'enjeu (1, 2 ou 3).")
    y_compris_retires = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true : lister aussi les objectifs retirés (par défaut, la liste ne donne "
        "que les objectifs en vigueur aujourd'hui, ceux que l'on peut encore choisir).",
    )


@extend_schema_view(
    list=extend_schema(summary="Les quartiers prioritaires"),
    retrieve=extend_schema(
        summary="Un quartier, avec son portrait statistique et ses constats",
    ),
)
class QuartierViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    queryset = (
        Quartier.objects.select_related("commune")
        .prefetch_related("communes")
        .order_by("position", "name")
    )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
                Prefetch("findings", queryset=Finding.objects.order_by("kind", "position")),
            )
        return queryset

    def get_serializer_class(self):
        return QuartierDetailSerializer if self.action == "retrieve" else QuartierSerializer


@extend_schema_view(
    list=extend_schema(summary="Les trois enjeux du contrat de ville"),
    retrieve=extend_schema(summary="Un enjeu"),
)
class EnjeuViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    lookup_field = "number"
    queryset = Enjeu.objects.order_by("number")
    serializer_class = EnjeuSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Les lignes des tableaux d'objectifs des quartiers",
        description="Les objectifs en vigueur aujourd'hui ; `y_compris_retires=true` ajoute "
        "les objectifs retirés (leur `retired_on` dit depuis quand).",
    ),
    retrieve=extend_schema(
        summary="Une ligne d'un tableau d'objectifs",
        description="Un objectif, même retiré (des expressions et événements le citent).",
    ),
)
class ObjectifViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    queryset = Objectif.objects.select_related("quartier", "enjeu").order_by(
        "quartier__position", "enjeu__number", "position"
    )
    serializer_class = ObjectifSerializer
    filterset_class = ObjectifFilter
    query_parameters = ObjectifParameters

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and not checked(ObjectifParameters, self.request).get(
            "y_compris_retires"
        ):
            queryset = queryset.in_force()
        return queryset


router = routers.DefaultRouter()
router.register("quartiers", QuartierViewSet, basename="quartier")
router.register("enjeux", EnjeuViewSet, basename="enjeu")
router.register("objectifs", ObjectifViewSet, basename="objectif")

urlpatterns = [path("", include(router.urls))]
