"""What this app adds to the shared home and quartier pages (participation.core.hooks)."""

from django.db.models import Count, F, Q, Window

from participation.core.fragments import render_rows
from participation.core.hooks import Block

from .committee.services import public_answers
from .models import Consultation, Expression, Source

# Her expressions on « Mon espace », the latest moved first; « Mes expressions » has them all.
MY_SPACE_LIMIT = 10


def objectif_expression_counts(quartier) -> dict[int, int]:
    """{objectif pk: published expressions about it} for one quartier, in one query."""
    rows = (
        Expression.objectifs.through.objects.filter(
            objectif__quartier=quartier,
            expression__in=Expression.objects.listed(),
        )
        .values("objectif_id")
        .annotate(count=Count("expression_id"))
        .order_by()
    )
    return {row["objectif_id"]: row["count"] for row in rows}


def home_provider(request, **objects) -> dict:
    consultations = list(Consultation.objects.open().order_by("closes_on", "title")[:4])
    return {
        "blocks": [
            Block(
                "consultations/blocks/home.html",
                {
                    "consultations": consultations,
                    "published_count": Expression.objects.listed().count(),
                },
                order=20,
            )
        ]
    }


def quartier_provider(request, *, quartier, **objects) -> dict:
    counts = (
        Expression.objects.listed()
        .filter(quartier=quartier)
        .aggregate(published=Count("pk"), field=Count("pk", filter=~Q(source=Source.EN_LIGNE)))
    )
    latest = list(
        Expression.objects.listed()
        .filter(quartier=quartier)
        .select_related("quartier", "author")
        .order_by("-published_at", "-pk")[:3]
    )
    consultations = list(
        Consultation.objects.open().for_quartier(quartier).order_by("closes_on", "title")
    )
    return {
        "objectif_expression_counts": objectif_expression_counts(quartier),
        "blocks": [
            Block(
                "consultations/blocks/quartier.html",
                {
                    "quartier": quartier,
                    "consultations": consultations,
                    "latest": latest,
                    "published_count": counts["published"],
                    "field_count": counts["field"],
                },
                order=30,
            )
        ],
    }


def retours_provider(request, *, quartier, **objects) -> dict:
    """« Vous avez dit, nous avons fait » on the quartier page: its latest public answers."""

    # The count rides along with the three latest answers: one query for both.
    latest = list(
        public_answers(quartier).prefetch_related(None).annotate(total=Window(Count("pk")))[:3]
    )
    return {
        "blocks": [
            Block(
                "consultations/retours/block_quartier.html",
                {
                    "quartier": quartier,
                    "count": latest[0].total if latest else 0,
                    "latest": latest,
                },
                order=35,
            )
        ]
    }


def my_space_provider(request, *, seen_at=None, **objects) -> dict:
    """« Mon espace »: her expressions, the latest moved first, each marked « nouveau » when
    someone else moved it along after ``seen_at``."""
    expressions = list(
        Expression.objects.for_author_cards(request.user)
        # The count rides along with the cards: one query for both.
        .annotate(total=Window(Count("pk")))
        .order_by(F("active_at").desc(nulls_last=True), "-pk")[:MY_SPACE_LIMIT]
    )
    for expression in expressions:
        expression.is_new = expression.has_news_since(seen_at)
    rows = render_rows(
        "consultations/partials/my_expression_card.html", expressions, name="expression", level=3
    )
    return {
        "blocks": [
            Block(
                "consultations/blocks/my_space.html",
                {
                    "rows": rows,
                    "count": expressions[0].total if expressions else 0,
                    "news": sum(expression.is_new for expression in expressions),
                    "first_visit": seen_at is None,
                },
                order=10,
            )
        ]
    }
