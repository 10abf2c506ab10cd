"""Open data: the published expressions, anonymised, and counts per quartier and objective.

Only what anyone can already read on the site leaves through here: published, non-private
expressions, without any author name (not even a chosen display name), photo, contact or
event; the decision and text of an answer only when the instance made it public. Each
comes as JSON (paginated) and as CSV (UTF-8, comma, streamed in constant memory).
"""

from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef, Prefetch, Sum
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, renderers, serializers, views
from rest_framework.response import Response

from participation.api.query import QueryParameters, checked, slug_parameter
from participation.core.spreadsheets import csv_lines, csv_response
from participation.territory.models import Objectif, Quartier

from ..models import Expression, Reponse

CHUNK = 2000
EXPRESSION_FIELDS = [
    "id",
    "quartier_code",
    "quartier",
    "published_on",
    "said_on",
    "source",
    "status",
    "text",
    "objectifs",
    "enjeux",
    "people_count",
    "supports_count",
    "decision",
    "answer",
]
COUNT_FIELDS = [
    "quartier_code",
    "quartier",
    "enjeu",
    "objectif",
    "objectif_label",
    "expressions",
    "people",
    "supports",
    "answered",
]


class CSVRenderer(renderers.BaseRenderer):
    """Lets content negotiation accept ``text/csv``; the views stream the CSV themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else b""


class OpenDataParameters(QueryParameters):
    quartier = slug_parameter("Slug du quartier (ex. « rimbart ») ; sans lui : tous.")


class CSVParameters(OpenDataParameters):
    format = serializers.ChoiceField(
        choices=["csv", "json"], required=False, help_text="csv (par défaut)."
    )


def asked_quartier(request, parameters=OpenDataParameters) -> str:
    """The quartier the request asks for (checked: 400 if malformed); empty for all."""
    return checked(parameters, request).get("quartier", "")


def published(quartier: str = ""):
    """The published expressions anyone may read in lists, of one quartier if given."""
    queryset = Expression.objects.listed()
    return queryset.filter(quartier__slug=quartier) if quartier else queryset


def _public_answers():
    return Reponse.objects.public().only("pk", "decision", "text")


class OpenExpressionSerializer(serializers.ModelSerializer):
    quartier_code = serializers.CharField(source="quartier.code", read_only=True)
    quartier = serializers.CharField(source="quartier.slug", read_only=True)
    published_on = serializers.SerializerMethodField(help_text="Date de publication.")
    said_on = serializers.SerializerMethodField(
        help_text=(
            "Date où elle a été dite : pour une saisie de terrain envoyée plus tard, le jour où "
            "elle a été dite, pas celui où elle a été reçue. À lire pour compter par période."
        )
    )
    source = serializers.CharField(
        read_only=True,
        help_text="Où elle a été dite : en_ligne, stand, table_ronde, nos_quartiers_ete…",
    )
    status = serializers.CharField(
        read_only=True, help_text="Étape : publiee, transmise, examinee ou repondue."
    )
    objectifs = serializers.SerializerMethodField(help_text="Identifiants des objectifs.")
    enjeux = serializers.SerializerMethodField(help_text="Numéros des enjeux (1 à 3).")
    decision = serializers.SerializerMethodField(help_text="Décision publique, s'il y en a une.")
    answer = serializers.SerializerMethodField(help_text="Réponse publique de l'instance.")

    class Meta:
        model = Expression
        fields = EXPRESSION_FIELDS
        read_only_fields = fields

    def get_published_on(self, expression) -> str | None:
        moment = expression.published_at or expression.created_at
        return moment.date().isoformat() if moment else None

    def get_said_on(self, expression) -> str:
        return timezone.localdate(expression.said_or_created).isoformat()

    def get_objectifs(self, expression) -> list[int]:
        return [o.pk for o in expression.objectifs.all()]

    def get_enjeux(self, expression) -> list[int]:
        return sorted({o.enjeu.number for o in expression.objectifs.all()})

    def _answer(self, expression):
        answers = getattr(expression, "public_answers", [])
        return answers[0] if answers else None

    def get_decision(self, expression) -> str | None:
        answer = self._answer(expression)
        return answer.decision if answer else None

    def get_answer(self, expression) -> str | None:
        answer = self._answer(expression)
        return answer.text if answer else None


@extend_schema(
    summary="Données ouvertes : les expressions publiées, anonymisées (JSON)",
    description=(
        "Les messages publiés et non privés, sans aucun nom d'auteur·rice ; la décision et la "
        "réponse de l'instance quand elle les a rendues publiques. Aussi en CSV : "
        "`/api/donnees-ouvertes/expressions.csv`."
    ),
    parameters=[OpenDataParameters],
)
class OpenExpressionList(generics.ListAPIView):
    serializer_class = OpenExpressionSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return (
            published(asked_quartier(self.request))
            .with_said_or_created()
            .select_related("quartier")
            .prefetch_related(
                Prefetch("objectifs", queryset=Objectif.objects.select_related("enjeu")),
                Prefetch("reponses", queryset=_public_answers(), to_attr="public_answers"),
            )
            .order_by("-published_at", "-pk")
        )


def expression_rows(queryset) -> Iterator[list]:
    """CSV rows of ``queryset``, ``CHUNK`` expressions at a time (keyset on the id)."""
    rows = (
        queryset.order_by()
        .with_said_or_created()
        .values(
            "pk",
            "quartier__code",
            "quartier__slug",
            "published_at",
            "created_at",
            "said_or_created",
            "source",
            "status",
            "text",
            "people_count",
            "supports_count",
        )
    )
    through = Expression.objectifs.through
    answers_through = Reponse.expressions.through
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        ids = [row["pk"] for row in chunk]
        last = ids[-1]
        objectifs: dict[int, list[tuple[int, int]]] = {}
        for expression_id, objectif_id, enjeu in through.objects.filter(
            expression_id__in=ids
        ).values_list("expression_id", "objectif_id", "objectif__enjeu__number"):
            objectifs.setdefault(expression_id, []).append((objectif_id, enjeu))
        answers = {
            expression_id: (decision, text)
            for expression_id, decision, text in answers_through.objects.filter(
                expression_id__in=ids, reponse__public=True
            ).values_list("expression_id", "reponse__decision", "reponse__text")
        }
        for row in chunk:
            pairs = sorted(objectifs.get(row["pk"], []))
            decision, answer = answers.get(row["pk"], ("", ""))
            moment = row["published_at"] or row["created_at"]
            yield [
                row["pk"],
                row["quartier__code"],
                row["quartier__slug"],
                moment.date().isoformat(),
                timezone.localdate(row["said_or_created"]).isoformat(),
                row["source"],
                row["status"],
                row["text"],
                " ".join(str(o) for o, _e in pairs),
                " ".join(str(e) for e in sorted({e for _o, e in pairs})),
                row["people_count"],
                row["supports_count"],
                decision,
                answer,
            ]


def _csv_response(columns, rows, filename):
    # Open data: the plain CSV of data portals (comma, no BOM), formula-safe like every export.
    lines = csv_lines(columns, rows, delimiter=",", bom=False)
    response = csv_response(lines, filename, content_type="text/csv")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@extend_schema(
    summary="Données ouvertes : les expressions publiées, anonymisées (CSV)",
    parameters=[CSVParameters],
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
)
class OpenExpressionCSV(views.APIView):
    permission_classes = [permissions.AllowAny]
    renderer_classes = [CSVRenderer, renderers.JSONRenderer]

    def get(self, request):
        rows = expression_rows(published(asked_quartier(request, CSVParameters)))
        return _csv_response(EXPRESSION_FIELDS, rows, "expressions-publiees.csv")


def count_rows(queryset) -> list[dict]:
    """Per quartier and objective (and « no objective » per quartier): how many, how supported."""
    through = Expression.objectifs.through
    answered = Reponse.expressions.through.objects.filter(
        expression_id=OuterRef("expression_id"), reponse__public=True
    )
    by_objectif = {
        row["objectif_id"]: row
        for row in through.objects.filter(expression__in=queryset)
        .values("objectif_id")
        .annotate(
            expressions=Count("expression_id"),
            people=Sum("expression__people_count"),
            supports=Sum("expression__supports_count"),
            answered_count=Count("expression_id", filter=Exists(answered)),
        )
        .order_by()
    }
    without = {
        row["quartier_id"]: row
        for row in queryset.exclude(Exists(through.objects.filter(expression=OuterRef("pk"))))
        .values("quartier_id")
        .annotate(
            expressions=Count("pk"),
            people=Sum("people_count"),
            supports=Sum("supports_count"),
            answered_count=Count(
                "pk",
                filter=Exists(
                    Reponse.expressions.through.objects.filter(
                        expression_id=OuterRef("pk"), reponse__public=True
                    )
                ),
            ),
        )
        .order_by()
    }
    rows = []
    objectifs = Objectif.objects.select_related("quartier", "enjeu").order_by(
        "quartier__position", "quartier__name", "enjeu__number", "position"
    )
    quartiers = list(Quartier.objects.order_by("position", "name"))
    by_quartier: dict[int, list] = {q.pk: [] for q in quartiers}
    for objectif in objectifs:
        found = by_objectif.get(objectif.pk, {})
        by_quartier.setdefault(objectif.quartier_id, []).append(
            {
                "quartier_code": objectif.quartier.code,
                "quartier": objectif.quartier.slug,
                "enjeu": objectif.enjeu.number,
                "objectif": objectif.pk,
                "objectif_label": str(objectif),
                "expressions": found.get("expressions", 0),
                "people": found.get("people") or 0,
                "supports": found.get("supports") or 0,
                "answered": found.get("answered_count", 0),
            }
        )
    for quartier in quartiers:
        rows.extend(by_quartier.get(quartier.pk, []))
        found = without.get(quartier.pk, {})
        rows.append(
            {
                "quartier_code": quartier.code,
                "quartier": quartier.slug,
                "enjeu": None,
                "objectif": None,
                "objectif_label": "",
                "expressions": found.get("expressions", 0),
                "people": found.get("people") or 0,
                "supports": found.get("supports") or 0,
                "answered": found.get("answered_count", 0),
            }
        )
    return rows


def counts(quartier: str) -> list[dict]:
    """The count rows, of one quartier if given."""
    rows = count_rows(published(quartier))
    return [row for row in rows if row["quartier"] == quartier] if quartier else rows


class CountSerializer(serializers.Serializer):
    quartier_code = serializers.CharField()
    quartier = serializers.CharField(help_text="Slug du quartier.")
    enjeu = serializers.IntegerField(allow_null=True)
    objectif = serializers.IntegerField(allow_null=True, help_text="Vide : sans objectif relié.")
    objectif_label = serializers.CharField()
    expressions = serializers.IntegerField(help_text="Expressions publiées.")
    people = serializers.IntegerField(help_text="Personnes qui se sont exprimées.")
    supports = serializers.IntegerField(help_text="« Moi aussi ».")
    answered = serializers.IntegerField(help_text="Expressions qui ont une réponse publique.")


@extend_schema(
    summary="Données ouvertes : nombre d'expressions publiées par quartier et objectif (JSON)",
    description="Aussi en CSV : `/api/donnees-ouvertes/comptes.csv`.",
    parameters=[OpenDataParameters],
    responses=CountSerializer(many=True),
)
class OpenCounts(views.APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request):
        rows = counts(asked_quartier(request))
        return Response(CountSerializer(rows, many=True).data)


@extend_schema(
    summary="Données ouvertes : nombre d'expressions publiées par quartier et objectif (CSV)",
    parameters=[CSVParameters],
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
)
class OpenCountsCSV(views.APIView):
    permission_classes = [permissions.AllowAny]
    renderer_classes = [CSVRenderer, renderers.JSONRenderer]

    def get(self, request):
        rows = counts(asked_quartier(request, CSVParameters))
        values = (
            [row[name] if row[name] is not None else "" for name in COUNT_FIELDS] for row in rows
        )
        return _csv_response(COUNT_FIELDS, values, "expressions-par-objectif.csv")


urlpatterns = [
    path(
        "donnees-ouvertes/expressions/",
        OpenExpressionList.as_view(),
        name="opendata-expressions",
    ),
    path(
        "donnees-ouvertes/expressions.csv",
        OpenExpressionCSV.as_view(),
        name="opendata-expressions-csv",
    ),
    path("donnees-ouvertes/comptes/", OpenCounts.as_view(), name="opendata-counts"),
    path("donnees-ouvertes/comptes.csv", OpenCountsCSV.as_view(), name="opendata-counts-csv"),
]
