"""Load the demo content of the embedded mode, idempotently.

Each app that has demo content provides a ``demo`` module with a ``load(stdout)``
function; they run in the order of INSTALLED_APPS (accounts before events before
expressions), so each may rely on what the previous ones made.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Charge les comptes et le contenu de démonstration (mode embarqué uniquement)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charger même hors du mode embarqué (tests uniquement).",
        )

    def handle(self, *args, **options):
        if not settings.DEMO_ACCOUNTS_ENABLED and not options["force"]:
            raise CommandError(
                "Le contenu de démonstration n'existe qu'en mode embarqué, jamais en production."
            )
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Contenu de démonstration chargé."))
