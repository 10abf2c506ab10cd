"""The two instances that the convention names; others are added by the référent."""

from django.db import migrations

CONVENTION_INSTANCES = [
    {
        "slug": "comite-pilotage-cohesion-sociale",
        "name": "Comité de Pilotage Cohésion Sociale",
        "kind": "comite_pilotage",
        "description": (
            "Réuni chaque année au sens large : services communaux, associations, habitants "
            "et partenaires institutionnels (État, CABBALR, Éducation nationale, MDS, CAF…)."
        ),
    },
    {
        "slug": "conseil-consultatif-pre",
        "name": "Conseil Consultatif du Programme de Réussite Éducative",
        "kind": "conseil_consultatif",
        "description": (
            "Réuni chaque année : services communaux impliqués et partenaires du Programme de "
            "Réussite Éducative (État, CABBALR, CAF, Éducation nationale, MDS, associations "
            "éducatives, bailleurs…)."
        ),
    },
]


def create_instances(apps, schema_editor):
    Instance = apps.get_model("consultations", "Instance")
    for row in CONVENTION_INSTANCES:
        Instance.objects.get_or_create(slug=row["slug"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_moderation")]

    operations = [migrations.RunPython(create_instances, migrations.RunPython.noop)]
