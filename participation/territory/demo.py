"""Demo content of the territory (``manage.py load_demo``, embedded mode only): how to reach
the mediators of Auchel. The number is in a range the French numbering plan keeps for fiction
(03 53 01 …, ARCEP): nobody is called by a demo. Left alone once set."""

from .models import Commune

AUCHEL_MEDIATION = {
    "mediation_phone": "+33353012030",
    "mediation_hours": "Du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h",
    "mediation_place": "Local de médiation, place de la mairie, Auchel (exemple de démonstration)",
}


def load(stdout) -> None:
    updated = Commune.objects.filter(
        slug="auchel", mediation_phone="", mediation_hours="", mediation_place=""
    ).update(**AUCHEL_MEDIATION)
    stdout.write(f"Contact de la médiation d'Auchel : {'ajouté' if updated else 'déjà présent'}.")
