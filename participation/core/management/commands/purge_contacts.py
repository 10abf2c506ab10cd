"""Forget the contact data kept longer than the retention period (RGPD).

Names, phones and emails of people without account registered to events, and the contacts
left with expressions collected in the field, recorded more than CONTACT_RETENTION_DAYS ago;
also the sent emails of that age. Each app does its part in its ``rgpd`` module. Runs
daily through Celery beat; idempotent.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from participation.accounts import rgpd


class Command(BaseCommand):
    help = "Efface les coordonnées conservées au-delà de la durée fixée (RGPD)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compter ce qui serait effacé, sans rien effacer.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Durée de conservation en jours (par défaut CONTACT_RETENTION_DAYS, "
            f"{settings.CONTACT_RETENTION_DAYS}).",
        )

    def handle(self, *args, **options):
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("La durée de conservation doit être d'au moins un jour.")
        before = rgpd.retention_cutoff(days=days)
        dry_run = options["dry_run"]
        counts = rgpd.purge_contacts(before, dry_run=dry_run)
        when = timezone.localtime(before).strftime("%d/%m/%Y %H:%M")
        verb = "seraient effacés" if dry_run else "effacés"
        for label, count in counts.items():
            self.stdout.write(f"{label} : {count} {verb} (enregistrés avant le {when})")
        total = sum(counts.values())
        message = f"Total : {total} {verb}." + (" Rien n'a été modifié." if dry_run else "")
        self.stdout.write(self.style.SUCCESS(message))
