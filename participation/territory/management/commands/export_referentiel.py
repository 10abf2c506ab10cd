"""``manage.py export_referentiel --commune auchel``: a commune's whole referential as one JSON
document (docs/referentiel.md), on the standard output or in a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participation.territory.exchange import dumps, export_document, find_commune


class Command(BaseCommand):
    help = (
        "Exporte le référentiel d'une commune (quartiers, portraits, constats, enjeux, "
        "objectifs, avenants) en un document JSON (docs/referentiel.md), que "
        "import_referentiel charge sur une autre plateforme."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--commune", required=True, help="La commune, par son slug ou son nom (auchel)."
        )
        parser.add_argument(
            "-o", "--output", type=Path, help="Fichier à écrire (par défaut : la sortie)."
        )

    def handle(self, *args, **options):
        commune = find_commune(options["commune"])
        if commune is None:
            raise CommandError(f"Aucune commune « {options['commune']} » sur la plateforme.")
        data = dumps(export_document(commune))
        if options["output"] is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        options["output"].write_bytes(data)
        self.stderr.write(f"Référentiel de {commune.name} écrit dans {options['output']}.")
