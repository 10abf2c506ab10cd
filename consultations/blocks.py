"""What this app adds to the shared home and quartier pages (participation.core.hooks)."""

import datetime as dt

from django.db.models import Count, F, Window
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participation.core.fragments import render_rows
from participation.core.hooks import Block

from . import rules
from .committee.services import public_answers
from .models import CARD_FIELDS, Consultation, Expression, tally

# Her expressions on « Mon espace », the latest moved first; « Mes expressions » has them all.
MY_SPACE_LIMIT = 10


def home_provider(request, **objects) -> dict:
    consultations = list(Consultation.objects.open().order_by("closes_on", "title")[:4])
    return {
        "blocks": [
            Block(
                "consultations/blocks/home.html",
                {
                    "consultations": consultations,
                    "published_count": tally.published_total(),
                },
                # First on the home page, before the events: « Donner mon avis » in the first
                # screen of a phone (UX review #12).
                order=10,
            )
        ]
    }


def quartier_provider(request, *, quartier, **objects) -> dict:
    # Kept up to date by every write (models.tally); computed here on a quartier's first
    # reading, before its objectives' counts are read.
    counts, objectif_counts = tally.quartier_and_objectif_counts(quartier)
    latest = list(
        Expression.objects.listed()
        .filter(quartier=quartier)
        .select_related("quartier", "author")
        .only(*CARD_FIELDS)
        .order_by("-published_at", "-pk")[:3]
    )
    consultations = list(
        Consultation.objects.open().for_quartier(quartier).order_by("closes_on", "title")
    )
    return {
        "objectif_expression_counts": objectif_counts,
        "blocks": [
            Block(
                "consultations/blocks/quartier.html",
                {
                    "quartier": quartier,
                    "consultations": consultations,
                    "latest": latest,
                    "published_count": counts.published,
                    "field_count": counts.field,
                },
                order=30,
            )
        ],
    }


def retours_provider(request, *, quartier, **objects) -> dict:
    """« Vous avez dit, nous avons fait » on the quartier page: its latest public answers."""

    # The count rides along with the three latest answers: one query for both.
    latest = list(public_answers(quartier, headlines=True).annotate(total=Window(Count("pk")))[:3])
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


# Open consultations whose last day comes within this many days are « bientôt closes ».
CLOSING_SOON_DAYS = 7


def referent_provider(request, **objects) -> dict:
    """The « Espace référent »: open consultations (those closing soon marked), those to come,
    and the instances with their member counts; three queries whatever the data."""
    today = timezone.localdate()
    # Hers only: the consultations and instances of her communes (consultations.rules).
    consultations = rules.managed_consultations(request.user)
    open_consultations = list(consultations.open(today).order_by("closes_on", "title"))
    soon = today + dt.timedelta(days=CLOSING_SOON_DAYS)
    for consultation in open_consultations:
        consultation.closing_soon = consultation.closes_on <= soon
    upcoming = list(consultations.filter(opens_on__gt=today).order_by("opens_on", "title")[:5])
    instances = list(
        rules.instances_in_scope(request.user)
        .annotate(members_count=Count("members"))
        .order_by("-is_active", "name")
    )
    closing_soon = sum(1 for consultation in open_consultations if consultation.closing_soon)
    consultations_summary = ngettext(
        "%(count)d ouverte", "%(count)d ouvertes", len(open_consultations)
    ) % {"count": len(open_consultations)}
    if closing_soon:
        consultations_summary += ngettext(
            ", dont %(count)d bientôt close", ", dont %(count)d bientôt closes", closing_soon
        ) % {"count": closing_soon}
    return {
        "blocks": [
            Block(
                "consultations/blocks/referent_consultations.html",
                {
                    "open": open_consultations,
                    "upcoming": upcoming,
                    "section": {
                        "id": "consultations",
                        "title": _("Consultations"),
                        "summary": consultations_summary,
                    },
                },
                order=20,
            ),
            Block(
                "consultations/blocks/referent_instances.html",
                {
                    "instances": instances,
                    "section": {
                        "id": "instances",
                        "title": _("Instances et membres"),
                        "summary": ngettext(
                            "%(count)d instance", "%(count)d instances", len(instances)
                        )
                        % {"count": len(instances)},
                    },
                },
                order=40,
            ),
        ]
    }
