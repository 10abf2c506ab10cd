"""``manage.py load_referentiel``: load the referential of the contrat de ville from its data
files the first time; afterwards, say how the database differs from them, and write the
difference only with ``--apply``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participation.territory.referentiel import DATA_DIR, ReferentielError, load_referentiel


class Command(BaseCommand):
    help = (
        "Charge le référentiel du contrat de ville (agglomération, communes, quartiers, "
        "indicateurs, constats, enjeux, objectifs) depuis les fichiers de données, sur une base "
        "qui n'en a pas encore. Ensuite le référentiel appartient à la commune : la commande "
        "affiche seulement les différences avec les fichiers (--dry-run, par défaut) et ne les "
        "écrit qu'avec --apply, sans jamais écraser une modification faite dans la plateforme "
        "ni supprimer ce à quoi des expressions, des événements ou des réponses se rattachent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=DATA_DIR,
            help=f"Dossier des fichiers de données (par défaut : {DATA_DIR}).",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            help="Afficher les différences sans rien écrire (par défaut, sauf au premier chargement).",
        )
        mode.add_argument(
            "--apply",
            action="store_true",
            help="Écrire les différences dans la base (les modifications de la plateforme restent).",
        )

    def handle(self, *args, **options):
        apply = True if options["apply"] else (False if options["dry_run"] else None)
        try:
            report = load_referentiel(options["path"], apply=apply)
        except ReferentielError as error:
            raise CommandError(f"Référentiel refusé, rien n'a été chargé. {error}") from error
        if report.first_load and report.applied:
            details = ", ".join(f"{n} {what}" for what, n in sorted(report.counts.items()))
            self.stdout.write(f"Créés : {details}")
            self.stdout.write(self.style.SUCCESS("Référentiel du contrat de ville chargé."))
            return
        if not report.differences:
            self.stdout.write("Référentiel déjà chargé : aucune différence avec les fichiers.")
            return
        intro = (
            "Différences écrites dans la base :"
            if report.applied
            else "Référentiel déjà chargé : il appartient à la commune. Différences avec les fichiers :"
        )
        self.stdout.write(intro)
        for difference in report.differences:
            self.stdout.write(str(difference))
        details = ", ".join(f"{n} {what}" for what, n in sorted(report.counts.items()))
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Appliqué : {details}."))
        elif report.changes:
            self.stdout.write(
                self.style.WARNING(
                    f"Rien n'a été modifié. Avec --apply : {details} ; les modifications "
                    "faites dans la plateforme restent."
                )
            )
        else:
            self.stdout.write(
                "Rien à écrire : les différences viennent de la plateforme et y restent."
            )
