"""Each event keeps the places its confirmed registrations take (issue 19): the column,
then its count from the registrations already there."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def count_places(apps, schema_editor):
    Evenement = apps.get_model("evenements", "Evenement")
    Inscription = apps.get_model("evenements", "Inscription")
    taken = (
        Inscription.objects.filter(evenement=OuterRef("pk"), status="confirmee")
        .order_by()
        .values("evenement")
        .annotate(total=Sum(F("adults") + F("children")))
        .values("total")
    )
    Evenement.objects.update(
        places_taken=Coalesce(Subquery(taken, output_field=models.IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evenements", "0005_inscription_contact_consent_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="evenement",
            name="places_taken",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="places prises"
            ),
        ),
        migrations.RunPython(count_places, migrations.RunPython.noop),
    ]
