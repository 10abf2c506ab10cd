"""Demo events of the embedded mode: a believable year in the four quartiers, idempotently.

Dates are computed from today (six months back, six months ahead) the first time; each
event is found again by its title, so running ``load_demo`` twice (even on another day)
creates nothing more. Positions on the map are approximate.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from participation.territory.models import Objectif, Quartier

from .models import Evenement, Inscription, Series

K = Evenement.Kind
COMMUNE = Evenement.OrganiserKind.COMMUNE
ASSOCIATION = Evenement.OrganiserKind.ASSOCIATION

# Approximate positions (the map is an enhancement; the list gives the address).
PLACES = {
    "beaugrand": (
        "Salle Beaugrand",
        "Auchel (Centre-ville)",
        (50.5081, 2.4727),
        "Bus : arrêt Mairie. Parking gratuit derrière la salle.",
    ),
    "marche": (
        "Marché du vendredi, stand de la commune",
        "Centre-ville d'Auchel, près de la mairie",
        (50.5087, 2.4745),
        "Le stand bleu « Quartiers 2030 », à l'entrée du marché.",
    ),
    "secretin": (
        "Espace Sécretin",
        "Cité 5, Auchel",
        (50.5012, 2.4853),
        "Bus : arrêt Rond-Point. Entrée par la cour.",
    ),
    "stade-provinces": (
        "City stade des Provinces",
        "Quartier des Provinces – Longues Trinques, Auchel",
        (50.5036, 2.4640),
        "Au bout de l'allée piétonne, à côté du square.",
    ),
    "stade-rimbart": (
        "City stade de Rimbart",
        "Quartier Rimbart, Auchel",
        (50.5150, 2.4612),
        "Derrière l'école, accès par le chemin piéton.",
    ),
    "local-rimbart": (
        "Local de médiation de Rimbart",
        "Quartier Rimbart, Auchel",
        (50.5142, 2.4630),
        "Rez-de-chaussée, porte verte. Sonnez si la porte est fermée.",
    ),
    "mille-jours": (
        "Maison des 1000 jours",
        "Auchel",
        (50.5066, 2.4702),
        "Poussettes bienvenues : ascenseur à gauche de l'entrée.",
    ),
}

ACCESSIBLE = "Lieu de plain-pied, accessible en fauteuil roulant. Toilettes adaptées."
OUTDOOR = "En plein air, sur terrain plat. Chaises disponibles sur demande."


@dataclass
class Spec:
    title: str
    kind: str
    quartiers: list[str]
    place: str
    start: dt.datetime
    hours: float
    description: str
    organiser: str = "Commune d'Auchel — service Politique de la Ville"
    organiser_kind: str = COMMUNE
    accessibility: str = ACCESSIBLE
    capacity: int | None = None
    registration: bool = False
    objectifs: list[str] = field(default_factory=list)
    registrations: int = 0
    waiting: int = 0
    cancelled: str = ""
    draft: bool = False  # still being prepared: seen by staff only


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def load(stdout) -> None:
    quartiers = {q.slug: q for q in Quartier.objects.all()}
    if not quartiers:
        stdout.write("Événements de démonstration : référentiel absent, rien à charger.")
        return
    today = timezone.localdate()
    users = _demo_users()
    created = 0
    for spec in _one_off_events(today):
        created += _ensure_event(spec, quartiers, users)
    for title, specs in _series(today):
        created += _ensure_series(title, specs, quartiers)
    stdout.write(
        f"Événements de démonstration : {created} créé(s), {Evenement.objects.count()} au total."
    )


def _demo_users() -> list:
    User = get_user_model()
    emails = ["habitant@demo.auchel.fr"] + [
        f"habitant.{slug}@demo.auchel.fr"
        for slug in ("centre-ville", "cite-5", "provinces-longues-trinques", "rimbart")
    ]
    found = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [found[email] for email in emails if email in found]


GUEST_NAMES = [
    "Mme Lefebvre",
    "M. Dupont",
    "Yasmina B.",
    "Kévin D.",
    "Mme Ramdani",
    "Sylvie M.",
    "M. Caron",
    "Inès T.",
    "Famille Martin",
    "Rachid K.",
    "Mme Delattre",
    "Lucas P.",
    "Mme Wojcik",
    "Nathalie V.",
    "M. Boulanger",
    "Océane L.",
    "Mme Lemaire",
    "Thierry G.",
    "Amina S.",
    "M. Kowalski",
]


def _objectifs(slugs: list[str], words: list[str]) -> list[Objectif]:
    found = []
    for word in words:
        found += list(
            Objectif.objects.filter(quartier__slug__in=slugs, operationnel__icontains=word)
        )
    return found


def _build(spec: Spec, quartiers: dict, series: Series | None = None) -> Evenement | None:
    chosen = [quartiers[slug] for slug in spec.quartiers if slug in quartiers]
    if not chosen:
        return None
    place_name, address, (lat, lng), directions = PLACES[spec.place]
    event = Evenement.objects.create(
        kind=spec.kind,
        title=spec.title,
        description=spec.description,
        place_name=place_name,
        address=address,
        directions=directions,
        latitude=lat,
        longitude=lng,
        starts_at=spec.start,
        ends_at=spec.start + dt.timedelta(hours=spec.hours),
        organiser_kind=spec.organiser_kind,
        organiser_name=spec.organiser,
        accessibility=spec.accessibility,
        capacity=spec.capacity,
        registration_required=spec.registration,
        series=series,
        status=(
            Evenement.Status.ANNULE
            if spec.cancelled
            else Evenement.Status.BROUILLON
            if spec.draft
            else Evenement.Status.PUBLIE
        ),
        cancellation_reason=spec.cancelled,
        cancelled_at=timezone.now() if spec.cancelled else None,
    )
    event.quartiers.set(chosen)
    event.objectifs.set(_objectifs(spec.quartiers, spec.objectifs))
    return event


def _ensure_event(spec: Spec, quartiers: dict, users: list) -> int:
    if Evenement.objects.filter(title=spec.title, series__isnull=True).exists():
        return 0
    event = _build(spec, quartiers)
    if event is None:
        return 0
    _fill(event, spec, users)
    return 1


def _fill(event: Evenement, spec: Spec, users: list) -> None:
    """Registrations: the demo residents first, then people registered at a stand."""
    past = event.ends_at < timezone.now()
    moment = event.starts_at - dt.timedelta(days=12)
    rows = []
    for index in range(spec.registrations + spec.waiting):
        confirmed = index < spec.registrations
        user = users[index] if index < len(users) else None
        rows.append(
            Inscription(
                evenement=event,
                user=user,
                name="" if user else GUEST_NAMES[index % len(GUEST_NAMES)],
                adults=1,
                children=1 if index % 4 == 3 and (event.capacity or 99) - index > 1 else 0,
                status=Inscription.Status.CONFIRMEE if confirmed else Inscription.Status.ATTENTE,
                requested_at=moment + dt.timedelta(hours=index * 5),
                confirmed_at=moment + dt.timedelta(hours=index * 5) if confirmed else None,
                attended=(index % 5 != 4) if past and confirmed else None,
            )
        )
    # Keep within the capacity: children count as places too.
    if event.capacity is not None:
        confirmed_rows = [row for row in rows if row.status == Inscription.Status.CONFIRMEE]
        total = 0
        for index, row in enumerate(confirmed_rows):
            still_to_place = len(confirmed_rows) - index - 1
            if total + row.adults + row.children + still_to_place > event.capacity:
                row.children = 0
            total += row.adults + row.children
    Inscription.objects.bulk_create(rows)  # around the ORM's signals: counted again here
    Evenement.objects.filter(pk=event.pk).recount_places()


def _ensure_series(title: str, specs: list[Spec], quartiers: dict) -> int:
    if Evenement.objects.filter(title=title, series__isnull=False).exists():
        return 0
    first = specs[0]
    series = Series.objects.create(
        frequency=Series.Frequency.WEEKLY if first.kind == K.PERMANENCE else Series.Frequency.DATES,
        interval_weeks=1,
        until=timezone.localtime(specs[-1].start).date(),
        dates=[timezone.localtime(spec.start).date().isoformat() for spec in specs[1:]],
    )
    count = 0
    for spec in specs:
        if _build(spec, quartiers, series) is not None:
            count += 1
    return count


def _one_off_events(today: dt.date) -> list[Spec]:
    summer = today.year if today >= dt.date(today.year, 7, 1) else today.year - 1
    friday = _next_weekday(today, 4)
    saturday = _next_weekday(today, 5)
    wednesday = _next_weekday(today, 2)
    specs = [
        Spec(
            title="Temps d'information : les aides pour la rentrée (à compléter)",
            kind=K.TEMPS_INFORMATION,
            quartiers=["rimbart"],
            place="local-rimbart",
            start=_at(wednesday + dt.timedelta(days=21), 14),
            hours=2,
            description=(
                "Brouillon de la référente : les aides de la CAF et de la commune pour la "
                "rentrée, avec le Point d'accès au droit. Horaires à confirmer avant publication."
            ),
            draft=True,
        ),
        Spec(
            title="Table ronde jeunesse : que faire après les cours ?",
            kind=K.TABLE_RONDE,
            quartiers=["cite-5"],
            place="secretin",
            start=_at(wednesday + dt.timedelta(days=7), 17, 30),
            hours=2,
            description=(
                "Les 15-25 ans de la Cité 5 et du Rond-Point disent ce qui leur manque le soir "
                "et le mercredi : lieux, horaires, activités. Les animateurs jeunesse et les "
                "médiateurs notent tout et le portent au Comité de pilotage. Boissons offertes."
            ),
            capacity=12,
            registration=True,
            objectifs=["jeunes en errance", "acteurs des projets"],
            registrations=12,
            waiting=3,
        ),
        Spec(
            title="Table ronde parentalité : l'école et nous",
            kind=K.TABLE_RONDE,
            quartiers=["provinces-longues-trinques"],
            place="mille-jours",
            start=_at(saturday + dt.timedelta(days=14), 10),
            hours=2,
            description=(
                "Parents, grands-parents : comment suivre la scolarité de vos enfants, qui "
                "contacter, quelles aides existent ? Avec le Programme de Réussite Éducative. "
                "Un espace jeux accueille les enfants pendant la discussion."
            ),
            organiser="Programme de Réussite Éducative d'Auchel",
            accessibility=ACCESSIBLE + " Garde des enfants sur place.",
            capacity=15,
            registration=True,
            objectifs=["parcours des enfants", "1000 jours"],
            registrations=6,
        ),
        Spec(
            title="Temps d'information : vos droits, votre santé",
            kind=K.TEMPS_INFORMATION,
            quartiers=["rimbart"],
            place="local-rimbart",
            start=_at(friday + dt.timedelta(days=7), 14),
            hours=2,
            description=(
                "La CPAM, le CCAS et la médiatrice du quartier répondent à vos questions : "
                "complémentaire santé, rendez-vous médicaux, aides au logement. Venez avec vos "
                "papiers si vous voulez être aidé·e pour un dossier."
            ),
            capacity=20,
            registration=True,
            objectifs=["médiation sociale", "prévention"],
            registrations=4,
        ),
        Spec(
            title="Réunion publique : un an de contrat de ville",
            kind=K.TEMPS_INFORMATION,
            quartiers=["centre-ville", "cite-5", "provinces-longues-trinques", "rimbart"],
            place="beaugrand",
            start=_at(today + dt.timedelta(days=50), 18),
            hours=2,
            description=(
                "Ce qui a été fait depuis un an dans les quatre quartiers, ce que vous avez dit "
                "sur la plateforme et aux stands, et les réponses du Comité de pilotage "
                "Cohésion sociale. Interprète en langue des signes sur demande."
            ),
            accessibility=ACCESSIBLE + " Boucle magnétique.",
            capacity=80,
            registration=True,
            objectifs=["Diffuser, informer"],
            registrations=5,
        ),
        Spec(
            title="Atelier couture parents-enfants",
            kind=K.AUTRE,
            quartiers=["centre-ville"],
            place="mille-jours",
            start=_at(wednesday + dt.timedelta(days=21), 14),
            hours=2,
            description=(
                "Un atelier pour fabriquer ensemble un sac ou un doudou, animé par l'association "
                "Fil à Fil. Machines et tissus fournis."
            ),
            organiser="Association Fil à Fil",
            organiser_kind=ASSOCIATION,
            capacity=8,
            registration=True,
            objectifs=["1000 jours"],
            registrations=8,
            waiting=1,
        ),
        Spec(
            title="Balade urbaine : diagnostic en marchant aux Provinces",
            kind=K.STAND,
            quartiers=["provinces-longues-trinques"],
            place="stade-provinces",
            start=_at(saturday + dt.timedelta(days=7), 10),
            hours=2,
            description=(
                "Une marche d'une heure et demie dans le quartier avec les services techniques : "
                "éclairage, trottoirs, dépôts sauvages. Vous montrez, nous notons."
            ),
            accessibility=OUTDOOR,
            capacity=25,
            registration=True,
            objectifs=["transformation du quartier"],
            registrations=3,
            cancelled="Reportée à cause de l'alerte météo (vents violents). Une nouvelle date sera annoncée ici.",
        ),
        Spec(
            title="Table ronde jeunesse : bilan de l'été",
            kind=K.TABLE_RONDE,
            quartiers=["cite-5", "rimbart"],
            place="secretin",
            start=_at(dt.date(summer, 9, 16), 17, 30),
            hours=2,
            description="Ce que les jeunes ont pensé de Nos Quartiers d'Été, et leurs idées pour la suite.",
            capacity=15,
            registration=True,
            objectifs=["jeunes en errance"],
            registrations=11,
        ),
        Spec(
            title="Table ronde parentalité : les écrans à la maison",
            kind=K.TABLE_RONDE,
            quartiers=["rimbart"],
            place="local-rimbart",
            start=_at(today - dt.timedelta(days=40), 14),
            hours=2,
            description="Échanges entre parents, avec une éducatrice de la Maison des 1000 jours.",
            capacity=12,
            registration=True,
            objectifs=["1000 jours", "parcours des enfants"],
            registrations=9,
        ),
    ]
    # Nos Quartiers d'Été: one afternoon per quartier and per fortnight, July and August.
    programme = [
        ("rimbart", "à Rimbart", "stade-rimbart", "jeux géants et goûter partagé"),
        ("cite-5", "à la Cité 5", "secretin", "tournoi de foot et stand d'expression"),
        ("provinces-longues-trinques", "aux Provinces", "stade-provinces", "cinéma en plein air"),
        ("centre-ville", "en centre-ville", "beaugrand", "bal populaire et food-truck"),
        ("rimbart", "à Rimbart", "stade-rimbart", "olympiades des familles"),
        ("cite-5", "à la Cité 5", "secretin", "atelier graff et musique"),
        (
            "provinces-longues-trinques",
            "aux Provinces",
            "stade-provinces",
            "pique-nique et pétanque",
        ),
        ("centre-ville", "en centre-ville", "beaugrand", "spectacle de rue et maquillage"),
    ]
    start = _next_weekday(dt.date(summer, 7, 7), 2)
    for week, (slug, where, place, activity) in enumerate(programme):
        specs.append(
            Spec(
                title=f"Nos Quartiers d'Été {summer} {where} : {activity}",
                kind=K.NOS_QUARTIERS_ETE,
                quartiers=[slug],
                place=place,
                start=_at(start + dt.timedelta(weeks=week), 15),
                hours=4,
                description=(
                    f"Un après-midi festif dans le quartier : {activity}. Les médiateurs tiennent "
                    "un stand pour recueillir vos idées sur le quartier. Gratuit, en famille."
                ),
                accessibility=OUTDOOR,
                capacity=40 if week % 4 == 1 else None,
                registration=week % 4 == 1,
                objectifs=["acteurs des projets", "occupation des quartiers"],
                registrations=14 if week % 4 == 1 else 0,
            )
        )
    return specs


def _series(today: dt.date) -> list[tuple[str, list[Spec]]]:
    # Weekly permanence in Rimbart (Tuesday) and every other week in Cité 5 (Thursday).
    series = []
    tuesday = _next_weekday(today - dt.timedelta(weeks=12), 1)
    title = "Permanence de médiation sociale à Rimbart"
    series.append(
        (
            title,
            [
                Spec(
                    title=title,
                    kind=K.PERMANENCE,
                    quartiers=["rimbart"],
                    place="local-rimbart",
                    start=_at(tuesday + dt.timedelta(weeks=week), 14),
                    hours=3,
                    description=(
                        "Sans rendez-vous : un problème de voisinage, un courrier à comprendre, "
                        "une idée pour le quartier ? La médiatrice vous écoute et vous oriente."
                    ),
                    objectifs=["médiation sociale"],
                )
                for week in range(26)
            ],
        )
    )
    thursday = _next_weekday(today - dt.timedelta(weeks=12), 3)
    title = "Permanence de médiation sociale à la Cité 5"
    series.append(
        (
            title,
            [
                Spec(
                    title=title,
                    kind=K.PERMANENCE,
                    quartiers=["cite-5"],
                    place="secretin",
                    start=_at(thursday + dt.timedelta(weeks=2 * week), 9, 30),
                    hours=2.5,
                    description=(
                        "Sans rendez-vous, un jeudi sur deux : les médiateurs de la commune "
                        "vous aident dans vos démarches et recueillent vos remarques."
                    ),
                    objectifs=["médiation sociale"],
                )
                for week in range(13)
            ],
        )
    )
    # The stand at the Friday market, once a month, on a list of dates.
    title = "Stand Quartiers 2030 au marché du vendredi"
    first_friday = _next_weekday(today - dt.timedelta(days=180), 4)
    series.append(
        (
            title,
            [
                Spec(
                    title=title,
                    kind=K.STAND,
                    quartiers=["centre-ville"],
                    place="marche",
                    start=_at(first_friday + dt.timedelta(weeks=4 * month), 9),
                    hours=3,
                    description=(
                        "Passez au stand pendant le marché : dites en deux minutes ce qui va et "
                        "ce qui ne va pas dans votre quartier. Un médiateur écrit pour vous si "
                        "vous le souhaitez."
                    ),
                    accessibility=OUTDOOR,
                    objectifs=["Diffuser, informer", "participation citoyenne"],
                )
                for month in range(12)
            ],
        )
    )
    return series
