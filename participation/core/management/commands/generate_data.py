"""``manage.py generate_data``: agglomeration-scale data for the performance bench."""

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from participation.core import benchdata

# A database that may receive 50,000 accounts sharing one known password.
SAFE_DATABASE_WORDS = ("bench", "test")


class Command(BaseCommand):
    help = (
        "Génère des données à l'échelle d'une agglomération pour le banc d'essai de performance "
        "(25 quartiers, 50 000 comptes, 200 000 expressions… à l'échelle 1), toujours les mêmes "
        "pour une même graine et un même jour de référence. Jamais sur une base de production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Graine (42 par défaut).")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Échelle : 1 = une agglomération, 0.01 = essai rapide (1 par défaut).",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Jour de référence AAAA-MM-JJ des dates générées (aujourd'hui par défaut).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Effacer d'abord les données générées (et toutes les expressions et événements).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Accepter une base dont le nom ne contient ni « bench » ni « test ».",
        )

    def handle(self, *args, seed, scale, today, replace, force, **options):
        if not 0 < scale <= 10:
            raise CommandError("L'échelle doit être comprise entre 0 (exclu) et 10.")
        name = str(connection.settings_dict["NAME"])
        if (
            connection.vendor != "sqlite"
            and not force
            and not any(word in name for word in SAFE_DATABASE_WORDS)
        ):
            raise CommandError(
                f"Base « {name} » : les données générées (dont 50 000 comptes au mot de passe "
                "connu) ne vont que dans une base de banc d'essai ou de test. Utilisez une base "
                "dont le nom contient « bench », ou --force."
            )
        started = time.monotonic()
        if not self._referential_loaded():
            call_command("load_referentiel", stdout=self.stdout)
        anchor = today or timezone.localdate()
        self.stdout.write(
            f"Génération : graine {seed}, échelle {scale}, jour de référence {anchor}"
        )
        try:
            with transaction.atomic():
                if replace:
                    benchdata.delete_generated()
                gen = benchdata.generate(
                    seed=seed, scale=scale, anchor=anchor, write=self.stdout.write
                )
        except benchdata.GenerationError as error:
            raise CommandError(str(error)) from error
        benchdata.analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"Données générées en {time.monotonic() - started:.0f} s : "
                + ", ".join(f"{count} {name}" for name, count in gen.counts.items())
            )
        )

    @staticmethod
    def _referential_loaded() -> bool:
        from django.apps import apps

        return apps.get_model("territory", "Quartier").objects.exists()
