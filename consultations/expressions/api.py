"""JSON API of the published expressions: read (anonymised as on the site) and create.

Creating takes an ``Idempotency-Key`` header: the same key sent twice by the same account
gives one expression (201 the first time, 200 with the same expression afterwards).
Errors follow the API's French format (participation.api.errors).
"""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, routers, serializers, status, viewsets
from rest_framework.response import Response

from participation.api.bodies import StrictJSON
from participation.api.errors import ApiError
from participation.api.query import (
    QueryParameters,
    number_parameter,
    slug_parameter,
    text_parameter,
)
from participation.core import images
from participation.core.ratelimit import RateLimited
from participation.territory.models import Objectif, Quartier

from .. import rules
from ..models import Consultation, Expression, Source, Visibility
from . import services
from .filters import ExpressionFilter

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f0c2a4e-8a53-4c5e-9d0e-2d6c3b1f5a77")


class ExpressionSerializer(serializers.ModelSerializer):
    page = serializers.SerializerMethodField(help_text="Adresse de la page publique du message.")
    quartier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author_name = serializers.CharField(
        source="public_author_name",
        read_only=True,
        help_text="Le nom choisi par l'auteur, ou « un·e habitant·e de … » ; jamais d'adresse.",
    )
    objectifs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    consultation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    photo = serializers.SerializerMethodField(help_text="Photo nettoyée (sans métadonnées).")
    thumbnail = serializers.SerializerMethodField(help_text="Petite version de la photo.")

    class Meta:
        model = Expression
        fields = [
            "id",
            "page",
            "quartier",
            "text",
            "objectifs",
            "objectifs_unknown",
            "consultation",
            "evenement",
            "source",
            "status",
            "author_name",
            "people_count",
            "supports_count",
            "created_at",
            "published_at",
            "photo",
            "thumbnail",
        ]
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_page(self, expression) -> str:
        return self._absolute(expression.get_absolute_url())

    def get_photo(self, expression) -> str | None:
        if not expression.photo:
            return None
        return self._absolute(reverse("consultations:expression_photo", args=[expression.pk]))

    def get_thumbnail(self, expression) -> str | None:
        if not expression.photo:
            return None
        return self._absolute(reverse("consultations:expression_thumbnail", args=[expression.pk]))


class ExpressionCreateSerializer(StrictJSON, serializers.Serializer):
    quartier = serializers.SlugRelatedField(
        slug_field="slug", queryset=Quartier.objects.all(), help_text="Slug du quartier."
    )
    text = serializers.CharField(allow_blank=True, trim_whitespace=True, help_text="Le message.")
    objectifs = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Objectif.objects.all(), required=False, default=list
    )
    consultation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Consultation.objects.all(), required=False, allow_null=True
    )
    evenement = serializers.PrimaryKeyRelatedField(
        queryset=Expression._meta.get_field("evenement").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, default=Visibility.PUBLIC_ANONYMOUS
    )
    photo = serializers.FileField(
        required=False, allow_null=True, help_text="JPEG, PNG, WebP ou HEIC."
    )
    photo_description = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )

    def validate_photo(self, uploaded):
        """Size, format and pixel count from the header: the service decodes it, if it must."""
        if not uploaded:
            return None
        try:
            images.check_photo(uploaded)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return uploaded

    def validate(self, attrs):
        try:
            attrs["text"] = services.validate_expression(
                quartier=attrs["quartier"],
                text=attrs.get("text", ""),
                objectifs=attrs.get("objectifs", []),
                consultation=attrs.get("consultation"),
                evenement=attrs.get("evenement"),
                author=self.context["request"].user,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        user = self.context["request"].user
        if attrs.get("visibility") == Visibility.PUBLIC_NAMED and not user.display_name:
            raise serializers.ValidationError(
                {"visibility": _("Vous n'avez pas de nom affiché : choisissez « anonyme ».")}
            )
        return attrs


def idempotency_key(request) -> uuid.UUID | None:
    """The header as a UUID; any other string is mapped to a stable UUID."""
    raw = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not raw:
        return None
    if len(raw) > 200:
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: _("La clé d'idempotence fait au plus 200 caractères.")}
        )
    try:
        return uuid.UUID(raw)
    except ValueError:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, raw)


class ExpressionParameters(QueryParameters):
    q = text_parameter("Mots cherchés dans les messages (recherche en français).")
    quartier = slug_parameter("Slug du quartier (ex. « rimbart »).")
    enjeu = number_parameter("Numéro de l'enjeu (1, 2 ou 3).")
    objectif = number_parameter("Identifiant de l'objectif (voir /api/objectifs/).")
    consultation = slug_parameter("Adresse courte de la consultation.")
    evenement = number_parameter("Identifiant de l'événement où le message a été dit.")
    source = serializers.ChoiceField(
        choices=Source.choices, required=False, allow_blank=True, help_text="Où il a été dit."
    )
    ordre = serializers.ChoiceField(
        choices=list(ExpressionFilter.ORDERS),
        required=False,
        help_text="recentes (par défaut) ou soutenues (les plus « moi aussi »).",
    )


class CanSubmit(permissions.BasePermission):
    message = _("Vérifiez d'abord votre adresse électronique pour publier un message.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or rules.can_submit(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Les messages publiés des habitant·es (anonymisés comme sur le site)"
    ),
    retrieve=extend_schema(
        summary="Un message publié",
        description="Publié, ou l'un des vôtres en attente de modération, avec son statut ; "
        "jamais un message privé.",
    ),
)
class ExpressionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ExpressionSerializer
    filterset_class = ExpressionFilter
    query_parameters = ExpressionParameters
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, CanSubmit]

    def get_queryset(self):
        # Private expressions never leave the site, not even for their author or staff.
        # Its author reads what she has just sent at the address the API gave her.
        base = (
            Expression.objects.readable_by(self.request.user)
            if self.action == "retrieve"
            else Expression.objects.listed()
        )
        return (
            base.select_related("quartier", "author", "consultation")
            .prefetch_related(Prefetch("objectifs", queryset=Objectif.objects.only("pk")))
            .order_by("-published_at", "-pk")
        )

    def get_serializer_class(self):
        return ExpressionCreateSerializer if self.action == "create" else ExpressionSerializer

    @extend_schema(
        summary="Publier un message (compte à l'adresse vérifiée)",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Une valeur unique par message (un UUID de préférence) : "
                "la renvoyer ne crée pas de doublon.",
            )
        ],
        request={
            "application/json": ExpressionCreateSerializer,
            "multipart/form-data": ExpressionCreateSerializer,
        },
        examples=[
            OpenApiExample(
                "Un message anonyme",
                value={
                    "quartier": "rimbart",
                    "text": "Les jeux du square sont cassés depuis l'hiver.",
                    "visibility": Visibility.PUBLIC_ANONYMOUS,
                },
                request_only=True,
            )
        ],
        responses={
            201: ExpressionSerializer,
            200: OpenApiResponse(ExpressionSerializer, description="Déjà reçu avec cette clé."),
            400: OpenApiResponse(description="Message à corriger (textes en français par champ)."),
            403: OpenApiResponse(description="Adresse électronique non vérifiée."),
            429: OpenApiResponse(description="Trop de messages en peu de temps."),
        },
    )
    def create(self, request, *args, **kwargs):
        key = idempotency_key(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            expression, created = services.submit(
                author=request.user,
                quartier=data["quartier"],
                text=data["text"],
                objectifs=data.get("objectifs", []),
                consultation=data.get("consultation"),
                evenement=data.get("evenement"),
                visibility=data["visibility"],
                photo=data.get("photo"),
                photo_description=data.get("photo_description", ""),
                idempotency_key=key,
            )
        except RateLimited as limited:
            raise ApiError(
                limited.message,
                code="trop_de_requetes",
                status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                wait=limited.retry_after,
            ) from limited
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from error
        output = ExpressionSerializer(expression, context=self.get_serializer_context())
        return Response(
            output.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


router = routers.DefaultRouter()
router.register("expressions", ExpressionViewSet, basename="expression")

urlpatterns = [
    path("", include(router.urls)),
]
