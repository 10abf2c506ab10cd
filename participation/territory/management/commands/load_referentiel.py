"""``manage.py load_referentiel``: load the referential of the contrat de ville from its data files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participation.territory.referentiel import (
    DATA_DIR,
    ReferentielError,
    ReferentielInUse,
    load_referentiel,
)


class Command(BaseCommand):
    help = (
        "Charge le référentiel du contrat de ville (agglomération, communes, quartiers, "
        "indicateurs, constats, enjeux, objectifs) depuis les fichiers de données. "
        "Idempotent : la base contient ensuite exactement ce que disent les fichiers "
        "(les lignes retirées des fichiers sont supprimées, les modifications faites dans "
        "l'administration sur ces données sont écrasées)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=DATA_DIR,
            help=f"Dossier des fichiers de données (par défaut : {DATA_DIR}).",
        )

    def handle(self, *args, **options):
        try:
            report = load_referentiel(options["path"])
        except (ReferentielError, ReferentielInUse) as error:
            raise CommandError(f"Référentiel refusé, rien n'a été chargé. {error}") from error
        for label, counter in (
            ("créés", report.created),
            ("déjà présents, mis à jour", report.updated),
            ("supprimés", report.deleted),
        ):
            if counter:
                details = ", ".join(f"{count} {name}" for name, count in sorted(counter.items()))
                self.stdout.write(f"{label.capitalize()} : {details}")
        self.stdout.write(self.style.SUCCESS("Référentiel du contrat de ville chargé."))
