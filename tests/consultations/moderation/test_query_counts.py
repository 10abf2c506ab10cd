"""The moderation pages run a constant number of SQL queries, whatever the amount of data."""

import pytest

from consultations.models import Signalement, Source, Status
from consultations.moderation import queue as moderation_queue
from consultations.moderation import services as moderation
from participation.audit.services import record
from tests.consultations.factories import ConsultationFactory, ExpressionFactory, ObjectifFactory
from tests.factories import UserFactory
from tests.queries import page_queries as queries

from .factories import EtiquetteFactory


def grow(count, *, quartier, consultation, tags, reporters):
    for index in range(count):
        reported = index % 4 == 0
        expression = ExpressionFactory(
            quartier=quartier,
            consultation=consultation,
            source=Source.STAND if index % 2 else Source.EN_LIGNE,
            status=Status.PUBLIEE if reported else Status.SOUMISE,
            flagged_at="2026-03-01T10:00:00Z" if reported else None,
        )
        for tag in tags:
            tag.expressions.add(expression)
        if reported:
            for reporter in reporters:
                Signalement.objects.create(expression=expression, reporter=reporter, reason="autre")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["", "?vue=a-transmettre", "?quartier=rimbart&source=stand", "?etiquette=TAG"],
)
def test_the_queue_runs_the_same_queries_for_3_or_60_expressions(
    client_for, mediateur, rimbart, query
):
    consultation = ConsultationFactory(quartiers=[rimbart])
    tags = [EtiquetteFactory(name="éclairage")]
    client = client_for(mediateur)
    url = "/moderation/" + query.replace("TAG", str(tags[0].pk))
    grow(3, quartier=rimbart, consultation=consultation, tags=tags, reporters=[UserFactory()])
    few = queries(client, url)

    tags += [EtiquetteFactory(name=f"thème {n}") for n in range(3)]
    grow(
        57,
        quartier=rimbart,
        consultation=consultation,
        tags=tags,
        reporters=[UserFactory() for _ in range(3)],
    )
    for expression in moderation_queue.queue()[:5]:
        if expression.status == Status.PUBLIEE:
            continue
        moderation.publish(expression, actor=mediateur)
    many = queries(client, url)

    assert many == few


@pytest.mark.django_db
def test_the_staff_page_of_an_expression_runs_the_same_queries_however_long_its_history(
    client_for, mediateur, referent, rimbart, copil, conseil_pre, bob
):
    client = client_for(mediateur)
    expression = ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, flagged_at="2026-03-01T10:00:00Z"
    )
    Signalement.objects.create(expression=expression, reporter=bob, reason="autre")
    ObjectifFactory(quartier=rimbart)
    EtiquetteFactory(name="a").expressions.add(expression)
    url = f"/moderation/expressions/{expression.pk}/"
    few = queries(client, url)

    for n in range(5):
        EtiquetteFactory(name=f"t{n}").expressions.add(expression)
        ObjectifFactory(quartier=rimbart)
        Signalement.objects.create(expression=expression, reporter=UserFactory(), reason="autre")
    for n in range(30):
        record(actor=referent, action="expression.note", target=expression, reason=f"n{n}")
    expression.objectifs.set(expression.quartier.objectifs.all())
    many = queries(client, url)

    assert many == few
