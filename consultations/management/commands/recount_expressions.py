"""``manage.py recount_expressions``: count again the published expressions of each quartier
and objective (consultations.models.tally), and read again the quartiers of each answer
(consultations.models.seance), after writes that bypass the ORM."""

from django.core.management.base import BaseCommand

from consultations.models.seance import keep_answer_quartiers
from consultations.models.tally import recount


class Command(BaseCommand):
    help = (
        "Recompte les expressions publiées par quartier et par objectif (après un import en "
        "masse : bulk_create, COPY)."
    )

    def handle(self, *args, **options):
        count = recount()
        keep_answer_quartiers()
        self.stdout.write(
            f"Expressions recomptées dans {count} quartier(s) ; quartiers des réponses relus."
        )
