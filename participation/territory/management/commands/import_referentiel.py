"""``manage.py import_referentiel referentiel-auchel.json``: load a commune's referential from
its document (docs/referentiel.md). Checked whole first: a document with any problem is
refused with every problem listed, and nothing is written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participation.territory.exchange import MAX_BYTES, DocumentRefused, import_document


class Command(BaseCommand):
    help = (
        "Charge le référentiel d'une commune depuis son document JSON (docs/referentiel.md). "
        "Le document est vérifié en entier : au moindre problème, il est refusé, chaque "
        "problème nommé, et rien n'est écrit. Une commune nouvelle sur la plateforme est "
        "chargée ; pour une commune déjà là, la commande affiche les différences et ne les "
        "écrit qu'avec --apply (les modifications faites dans la plateforme restent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Le document JSON du référentiel.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run", action="store_true", help="Vérifier et afficher sans rien écrire."
        )
        mode.add_argument(
            "--apply",
            action="store_true",
            help="Écrire les différences pour une commune déjà sur la plateforme.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        apply = True if options["apply"] else (False if options["dry_run"] else None)
        try:
            result = import_document(data, apply=apply, source=path.name)
        except DocumentRefused as refused:
            problems = "\n".join(f"  - {problem}" for problem in refused.problems)
            raise CommandError(
                f"Référentiel refusé, rien n'a été chargé ({len(refused.problems)} "
                f"problème(s)) :\n{problems}"
            ) from refused
        report = result.report
        details = ", ".join(f"{n} {what}" for what, n in sorted(report.counts.items()))
        if result.new and report.applied:
            self.stdout.write(f"Créés : {details}")
            self.stdout.write(self.style.SUCCESS(f"Référentiel de {result.commune} chargé."))
            return
        if result.new:
            self.stdout.write(
                f"Référentiel de {result.commune} valable. Rien n'a été écrit (--dry-run) ; "
                f"sans cette option : {details}."
            )
            return
        if not report.changes:
            self.stdout.write(f"Référentiel de {result.commune} : aucune différence à écrire.")
            return
        self.stdout.write(
            f"Référentiel de {result.commune} : "
            + ("différences écrites :" if report.applied else "différences avec la plateforme :")
        )
        for difference in report.differences:
            self.stdout.write(str(difference))
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Appliqué : {details}."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Rien n'a été modifié. Avec --apply : {details} ; les modifications "
                    "faites dans la plateforme restent."
                )
            )
