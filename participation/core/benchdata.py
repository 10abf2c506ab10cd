"""Agglomeration-scale data for the performance bench (``manage.py generate_data``).

The same seed and the same anchor day give the same rows (primary keys included on a fresh
database): every step draws from its own random stream, seeded by the seed and the step's
name, so adding a step never changes what the others make. Rows are written in chunks with
``bulk_create``: no model ``save()``, no signals, no audit entries, no emails.

Each step needs some models; a step whose models do not exist (yet) is skipped with a note.
Adding data for a new model is one function and one line in ``STEPS``. Models are reached
through the app registry, never imported: the shared core does not import the domain apps.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

# The scale-1 volumes: one agglomeration (issue 9).
VOLUMES = {
    "accounts": 50_000,
    "mediateurs": 60,
    "comite": 40,
    "referents": 5,
    "events": 5_000,
    "registrations": 50_000,
    "consultations": 40,
    "expressions": 200_000,
    "supports": 300_000,
    "signalements": 1_000,
    "answers": 2_000,
}
QUARTIERS_TOTAL = 25  # the 4 of the referential and 21 generated ones (CABBALR: 25 quartiers)
EMAIL_DOMAIN = "bench.invalid"  # a reserved top-level domain: no email can ever be delivered
BENCH_PASSWORD = "banc-essai-auchel-2030"  # noqa: S105 - generated bench databases only
CHUNK = 5_000
BATCH_SIZE = 2_000

# Real communes of the CABBALR beside the referential's five; the quartiers are fictional.
COMMUNES = (
    "Béthune",
    "Bruay-la-Buissière",
    "Lillers",
    "Isbergues",
    "Barlin",
    "Houdain",
    "Nœux-les-Mines",
    "Divion",
    "Beuvry",
    "Annezin",
    "Haillicourt",
    "Labourse",
    "Vermelles",
    "Douvrin",
)
QUARTIER_NAMES = (
    "Le Plateau",
    "Les Alouettes",
    "La Roseraie",
    "Le Marais",
    "Cité du Moulin",
    "Le Petit Bois",
    "Les Tilleuls",
    "La Fosse 3",
    "Les Terrils",
    "Le Rivage",
    "Les Glycines",
    "Cité Saint-Éloi",
    "La Plaine",
    "Les Peupliers",
    "Les Hauts",
    "Cité des Fleurs",
    "Le Bois Rouge",
    "Les Aulnes",
    "La Gare",
    "Les Jardins",
    "Le Vieux Moulin",
)
FIRST_NAMES = [
    "Nadia",
    "Samia",
    "Karim",
    "Sophie",
    "Paul",
    "Inès",
    "Yanis",
    "Julie",
    "Mehdi",
    "Camille",
    "Lucas",
    "Fatima",
    "Hugo",
    "Léa",
    "Nathan",
    "Chloé",
    "Sofiane",
    "Manon",
    "Théo",
    "Aïcha",
    "Louis",
    "Emma",
    "Rayan",
    "Sarah",
    "Jules",
    "Amina",
    "Tom",
    "Lina",
    "Enzo",
    "Zoé",
    "Bilal",
    "Jade",
    "Maxime",
    "Yasmine",
    "Antoine",
    "Clara",
    "Hamid",
    "Élodie",
    "Kevin",
    "Malika",
    "Bruno",
    "Sylvie",
    "Didier",
    "Martine",
    "Jean-Pierre",
    "Nathalie",
    "Farid",
    "Brigitte",
    "Mohamed",
    "Chantal",
]

# Sentences residents write; every word of the bench's searches appears in some of them.
SUBJECTS = (
    "L'éclairage de la rue",
    "Le parc près de l'école",
    "La médiation du soir",
    "Le bus de la ligne 2",
    "La propreté des trottoirs",
    "Le city-stade",
    "La maison de quartier",
    "Le marché du samedi",
    "Le local des jeunes",
    "L'aide aux devoirs",
    "Le stationnement devant la pharmacie",
    "Les jardins partagés",
    "La permanence emploi",
    "Le passage piéton du collège",
    "La salle de sport",
)
VERDICTS = (
    "ne fonctionne plus depuis des semaines",
    "manque beaucoup aux familles",
    "est trop loin pour les personnes âgées",
    "est une vraie réussite, merci",
    "ferme trop tôt le soir",
    "n'est pas accessible en fauteuil",
    "devrait être ouvert aussi le mercredi",
    "fait du bien au quartier",
    "est sale après le week-end",
    "n'est pas assez connu des habitants",
)
WISHES = (
    "Il faudrait en parler au prochain stand.",
    "Pourriez-vous ajouter des bancs et de l'ombre ?",
    "Les enfants ont besoin d'un endroit sûr pour jouer.",
    "Une médiation le vendredi soir aiderait beaucoup.",
    "Nous sommes plusieurs voisins à le demander.",
    "Merci aux médiateurs pour leur écoute.",
    "Un meilleur éclairage rassurerait les parents.",
    "On pourrait organiser une table ronde sur ce sujet.",
    "",
)
EVENT_TITLES = {
    "stand": "Stand de la médiation",
    "table_ronde": "Table ronde : la vie du quartier",
    "nos_quartiers_ete": "Nos Quartiers d'Été",
    "temps_information": "Temps d'information sur l'accès aux droits",
    "permanence": "Permanence de médiation",
    "autre": "Rencontre des habitants",
}
PLACES = (
    "Salle des fêtes",
    "Centre social",
    "Médiathèque",
    "Maison de quartier",
    "Place de la mairie",
    "Parc municipal",
    "Préau de l'école",
)
STREETS = ("rue Jean Jaurès", "rue de la Gare", "place du 8 Mai", "rue Pasteur", "rue Basly")


class GenerationError(Exception):
    """The database is not ready for generation (referential missing, data already there)."""


def has_model(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def volume(name: str, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(VOLUMES[name] * scale))


@dataclass
class Generator:
    """The state shared by the steps: what earlier steps made, as plain ids."""

    seed: int
    scale: float
    anchor: dt.datetime  # midnight of the anchor day; every generated date is relative to it
    write: Callable[[str], None] = print
    counts: dict[str, int] = field(default_factory=dict)
    quartier_ids: list[int] = field(default_factory=list)
    quartier_codes: dict[int, str] = field(default_factory=dict)
    objectifs: dict[int, list[int]] = field(default_factory=dict)  # quartier id → objectif ids
    residents: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    habitants: list[int] = field(default_factory=list)
    mediateurs: list[int] = field(default_factory=list)
    comite: list[int] = field(default_factory=list)
    referents: list[int] = field(default_factory=list)
    events_by_quartier: dict[int, list[tuple[int, dt.datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    registration_events: list[tuple[int, dt.datetime, int | None]] = field(default_factory=list)
    consultations_by_quartier: dict[int, list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    quartier_names: dict[int, str] = field(default_factory=dict)
    # Expressions that anyone can read in lists: (pk, author id or 0, published_at, supports).
    listed: list[tuple[int, int, dt.datetime, int]] = field(default_factory=list)
    moderated: list[int] = field(default_factory=list)  # read by a mediator (not soumise)
    # Routed to instances: (pk, quartier id, status, moments of the path's steps).
    routed: list[tuple[int, int, str, list[dt.datetime]]] = field(default_factory=list)
    instances: list[int] = field(default_factory=list)
    members: dict[int, list[int]] = field(default_factory=dict)  # instance → comité members
    transmissions: dict[int, list[int]] = field(default_factory=dict)  # expression → instances

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}")

    def days_ago(self, rng: random.Random, max_days: int) -> dt.datetime:
        """A moment in the ``max_days`` before the anchor, to the second."""
        return self.anchor - dt.timedelta(seconds=rng.randrange(1, max_days * 86_400))

    def count(self, name: str, value: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + value


def bulk(model_class: type[models.Model], objects: list, *, returning: bool = False) -> list:
    """Insert ``objects`` fast; ``returning`` keeps them, with their primary keys set.

    PostgreSQL: ``COPY``, with primary keys drawn from the table's sequence first when they
    are needed (as many times faster than ``INSERT`` as the table has indexes). Elsewhere:
    ``bulk_create`` in batches.
    """
    if not objects:
        return []
    if connection.vendor == "postgresql":
        _copy(model_class, objects, with_pks=returning)
        return objects if returning else []
    created = model_class.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return created if returning else []


def _copy(model_class: type[models.Model], objects: list, *, with_pks: bool) -> None:
    meta = model_class._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if with_pks or not f.primary_key]
    with connection.cursor() as cursor:
        if with_pks:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id "
                "FROM generate_series(1, %s) ORDER BY id",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for obj in objects:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias


# --- Steps -------------------------------------------------------------------------------


def make_quartiers(gen: Generator) -> int:
    Quartier = model("territory.Quartier")
    Commune = model("territory.Commune")
    Indicator = model("territory.Indicator")
    Finding = model("territory.Finding")
    Objectif = model("territory.Objectif")
    patterns = list(Quartier.objects.order_by("position", "pk"))
    if not patterns:
        raise GenerationError(
            "Le référentiel n'est pas chargé : lancez d'abord « manage.py load_referentiel »."
        )
    rng = gen.rng("quartiers")
    agglomeration = patterns[0].commune.agglomeration
    communes = bulk(
        Commune,
        [Commune(agglomeration=agglomeration, name=name, slug=slugify(name)) for name in COMMUNES],
        returning=True,
    )
    generated = []
    for index in range(QUARTIERS_TOTAL - len(patterns)):
        pattern = patterns[index % len(patterns)]
        commune = communes[index % len(communes)]
        base = QUARTIER_NAMES[index % len(QUARTIER_NAMES)]
        generated.append(
            Quartier(
                code=f"QP 98 00 {index + 1:02d}",
                slug=slugify(f"{base} {commune.name}"),
                name=f"{base} ({commune.name})",
                short_name=base,
                status=pattern.status,
                commune=commune,
                population=rng.randrange(1_200, 4_500, 100),
                population_approximate=True,
                population_trend="",
                surface_ha=rng.randrange(20, 90),
                statistics_source="Quartier fictif du banc d'essai de performance",
                summary=(
                    f"Quartier fictif de {commune.name}, généré pour le banc d'essai : "
                    f"mêmes objectifs que {pattern.short_name}."
                ),
                position=100 + index,
            )
        )
    generated = bulk(Quartier, generated, returning=True)
    through = Quartier.communes.through
    bulk(through, [through(quartier_id=q.pk, commune_id=q.commune_id) for q in generated])

    copies: dict[type[models.Model], list] = defaultdict(list)
    for index, quartier in enumerate(generated):
        pattern = patterns[index % len(patterns)]
        for row in pattern.indicators.all():
            copies[Indicator].append(_clone(row, quartier=quartier))
        for row in pattern.findings.all():
            copies[Finding].append(_clone(row, quartier=quartier))
        for row in pattern.objectifs.all():
            copies[Objectif].append(_clone(row, quartier=quartier))
    for model_class, rows in copies.items():
        bulk(model_class, rows)

    for quartier in [*patterns, *generated]:
        gen.quartier_ids.append(quartier.pk)
        gen.quartier_codes[quartier.pk] = quartier.code
        gen.quartier_names[quartier.pk] = quartier.short_name
    gen.objectifs = defaultdict(list)
    for pk, quartier_id in Objectif.objects.order_by("quartier_id", "pk").values_list(
        "pk", "quartier_id"
    ):
        gen.objectifs[quartier_id].append(pk)
    gen.count("communes", len(communes))
    return len(generated)


def _clone(row: models.Model, **changes) -> models.Model:
    values = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key and f.name not in changes
    }
    return type(row)(**values, **changes)


def make_accounts(gen: Generator) -> int:
    User = model("accounts.User")
    EmailAddress = model("account.EmailAddress")
    rng = gen.rng("comptes")
    password = make_password(BENCH_PASSWORD)  # hashed once: hashing 50,000 times takes hours
    staff = (
        ("referent", "referent", volume("referents", gen.scale)),
        ("comite", "comite", volume("comite", gen.scale, 3)),
        ("mediateur", "mediateur", volume("mediateurs", gen.scale, 3)),
    )
    total = volume("accounts", gen.scale, 20)
    specs: list[tuple[str, str]] = []
    for prefix, role, number in staff:
        specs.extend((f"{prefix}{n:03d}@{EMAIL_DOMAIN}", role) for n in range(1, number + 1))
    specs.extend(
        (f"habitant{n:05d}@{EMAIL_DOMAIN}", "habitant")
        for n in range(1, max(total - len(specs), 10) + 1)
    )
    made = 0
    for chunk in chunked(specs, CHUNK):
        users = []
        for email, role in chunk:
            users.append(
                User(
                    email=email,
                    password=password,
                    role=role,
                    display_name=rng.choice(FIRST_NAMES) if rng.random() < 0.7 else "",
                    quartier_id=rng.choice(gen.quartier_ids) if role == "habitant" else None,
                    notify_by_email=rng.random() < 0.8,
                    date_joined=gen.days_ago(rng, 730),
                )
            )
        users = bulk(User, users, returning=True)
        bulk(
            EmailAddress,
            [EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True) for u in users],
        )
        for user in users:
            {
                "habitant": gen.habitants,
                "mediateur": gen.mediateurs,
                "comite": gen.comite,
                "referent": gen.referents,
            }[user.role].append(user.pk)
            if user.quartier_id:
                gen.residents[user.quartier_id].append(user.pk)
        made += len(users)
    _activate_totp(gen, [*gen.referents, *gen.comite, *gen.mediateurs])
    return made


def _activate_totp(gen: Generator, user_ids: list[int]) -> None:
    """Staff must have TOTP before any staff page; they share the public demo secret."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings

    User = model("accounts.User")
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        TOTP.activate(user, settings.DEMO_TOTP_SECRET)
    gen.count("staff_totp", len(user_ids))


def make_events(gen: Generator) -> int:
    Evenement = model("evenements.Evenement")
    rng = gen.rng("evenements")
    total = volume("events", gen.scale, 10)
    always_open = max(10, total // 50)
    kinds = list(EVENT_TITLES)
    tz = timezone.get_current_timezone()
    made = 0
    for start in range(0, total, CHUNK):
        events, quartiers, extra_quartiers = [], [], []
        for index in range(start, min(start + CHUNK, total)):
            quartier_id = rng.choice(gen.quartier_ids)
            kind = rng.choices(kinds, weights=(30, 15, 10, 15, 25, 5))[0]
            forced_open = index < always_open
            day = rng.randrange(3, 60) if forced_open else rng.randrange(-365, 180)
            local_day = (gen.anchor + dt.timedelta(days=day)).astimezone(tz).date()
            starts_at = dt.datetime.combine(local_day, dt.time(rng.randrange(9, 19)), tzinfo=tz)
            registration = forced_open or rng.random() < 0.4
            capacity = None
            if registration and not forced_open and rng.random() < 0.6:
                capacity = rng.randrange(10, 81)
            cancelled = not forced_open and rng.random() < 0.03
            place = rng.choice(PLACES)
            events.append(
                Evenement(
                    kind=kind,
                    title=f"{EVENT_TITLES[kind]} n° {index + 1}",
                    description=(
                        "Venez en parler avec les médiateurs et vos voisins. " + rng.choice(WISHES)
                    ),
                    place_name=place,
                    address=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                    latitude=round(50.505 + rng.uniform(-0.03, 0.03), 6),
                    longitude=round(2.473 + rng.uniform(-0.05, 0.05), 6),
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(hours=rng.randrange(1, 4)),
                    organiser_name="Service politique de la ville",
                    registration_required=registration,
                    capacity=capacity,
                    status="annule" if cancelled else "publie",
                    cancellation_reason="Intempéries annoncées" if cancelled else "",
                    created_by_id=rng.choice(gen.referents) if gen.referents else None,
                )
            )
            quartiers.append(quartier_id)
            extra_quartiers.append(
                rng.choice(gen.quartier_ids) if rng.random() < 0.1 else quartier_id
            )
        events = bulk(Evenement, events, returning=True)
        through_q = Evenement.quartiers.through
        through_o = Evenement.objectifs.through
        links, objectifs = [], []
        for event, quartier_id, extra in zip(events, quartiers, extra_quartiers, strict=True):
            links.append(through_q(evenement_id=event.pk, quartier_id=quartier_id))
            if extra != quartier_id:
                links.append(through_q(evenement_id=event.pk, quartier_id=extra))
            choices = gen.objectifs.get(quartier_id, [])
            for objectif_id in rng.sample(choices, min(len(choices), rng.randrange(0, 3))):
                objectifs.append(through_o(evenement_id=event.pk, objectif_id=objectif_id))
            gen.events_by_quartier[quartier_id].append((event.pk, event.starts_at))
            if event.registration_required and event.status == "publie":
                gen.registration_events.append((event.pk, event.starts_at, event.capacity))
        bulk(through_q, links)
        bulk(through_o, objectifs)
        made += len(events)
    return made


def make_registrations(gen: Generator) -> int:
    Inscription = model("evenements.Inscription")
    rng = gen.rng("inscriptions")
    if not gen.registration_events or not gen.habitants:
        gen.write("  aucun événement avec inscription : étape vide")
        return 0
    total = volume("registrations", gen.scale)
    taken: dict[int, int] = defaultdict(int)
    seen: set[tuple[int, int]] = set()
    made, attempts = 0, 0
    rows = []
    while made + len(rows) < total and attempts < total * 3:
        attempts += 1
        event_id, starts_at, capacity = rng.choice(gen.registration_events)
        user_id = rng.choice(gen.habitants)
        if (event_id, user_id) in seen:
            continue
        seen.add((event_id, user_id))
        adults, children = rng.choice((1, 1, 1, 2, 2)), rng.choice((0, 0, 0, 1, 2, 3))
        requested = min(starts_at - dt.timedelta(hours=rng.randrange(2, 720)), gen.anchor)
        status = rng.choices(("confirmee", "annulee"), weights=(92, 8))[0]
        if status == "confirmee" and capacity is not None:
            if taken[event_id] + adults + children > capacity:
                status = "attente"
            else:
                taken[event_id] += adults + children
        rows.append(
            Inscription(
                evenement_id=event_id,
                user_id=user_id,
                adults=adults,
                children=children,
                status=status,
                requested_at=requested,
                confirmed_at=requested if status == "confirmee" else None,
                cancelled_at=requested + dt.timedelta(hours=1) if status == "annulee" else None,
                attended=(rng.random() < 0.8) if starts_at < gen.anchor else None,
            )
        )
        if len(rows) >= CHUNK:
            bulk(Inscription, rows)
            made, rows = made + len(rows), []
    bulk(Inscription, rows)
    return made + len(rows)


def make_consultations(gen: Generator) -> int:
    Consultation = model("consultations.Consultation")
    rng = gen.rng("consultations")
    total = volume("consultations", gen.scale, 2)
    rows, spans = [], []
    for index in range(total):
        opens = (gen.anchor - dt.timedelta(days=rng.randrange(0, 540))).date()
        subject = rng.choice(SUBJECTS)
        rows.append(
            Consultation(
                title=f"{subject} : qu'en pensez-vous ? ({index + 1})",
                slug=f"consultation-{index + 1:03d}",
                question=f"{subject} : que faudrait-il changer selon vous ?",
                description="Consultation générée pour le banc d'essai.",
                opens_on=opens,
                closes_on=opens + dt.timedelta(days=rng.randrange(14, 120)),
                created_by_id=rng.choice(gen.referents) if gen.referents else None,
            )
        )
        spans.append(rng.sample(gen.quartier_ids, rng.randrange(1, 4)))
    rows = bulk(Consultation, rows, returning=True)
    through = Consultation.quartiers.through
    links = []
    for consultation, quartier_ids in zip(rows, spans, strict=True):
        for quartier_id in quartier_ids:
            links.append(through(consultation_id=consultation.pk, quartier_id=quartier_id))
            gen.consultations_by_quartier[quartier_id].append(consultation.pk)
    bulk(through, links)
    return len(rows)


# The statuses of generated expressions, with their weights, and the steps of each path.
STATUS_WEIGHTS = {
    "soumise": 8,
    "publiee": 35,
    "rejetee": 5,
    "fusionnee": 3,
    "transmise": 20,
    "examinee": 12,
    "repondue": 17,
}
PATHS = {
    "soumise": ("soumise",),
    "publiee": ("soumise", "publiee"),
    "rejetee": ("soumise", "rejetee"),
    "fusionnee": ("soumise", "publiee", "fusionnee"),
    "transmise": ("soumise", "publiee", "transmise"),
    "examinee": ("soumise", "publiee", "transmise", "examinee"),
    "repondue": ("soumise", "publiee", "transmise", "examinee", "repondue"),
}
LISTED = frozenset({"publiee", "transmise", "examinee", "repondue"})
ROUTED = frozenset({"transmise", "examinee", "repondue"})
# The share of generated expressions that anyone can read in lists (listed and not private).
LISTED_SHARE = sum(STATUS_WEIGHTS[s] for s in LISTED) / sum(STATUS_WEIGHTS.values()) * 0.9
PARETO_ALPHA = 1.6  # mean of paretovariate(a) - 1 is 1 / (a - 1)
STEP_NOTES = {
    "rejetee": "Votre message donne le nom d'une personne : réécrivez-le sans ce nom.",
    "fusionnee": "Votre message rejoint un message qui dit la même chose.",
    "transmise": "Transmise au Comité de Pilotage Cohésion Sociale.",
    "examinee": "Examinée en séance du comité.",
    "repondue": "Retenue : des travaux sont prévus au printemps.",
}
SOURCES = ("stand", "table_ronde", "nos_quartiers_ete", "permanence", "temps_information")


def _text(rng: random.Random) -> str:
    parts = [f"{rng.choice(SUBJECTS)} {rng.choice(VERDICTS)}.", rng.choice(WISHES)]
    if rng.random() < 0.4:
        parts.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERDICTS)}.")
    return " ".join(part for part in parts if part)


def make_expressions(gen: Generator) -> int:
    Expression = model("consultations.Expression")
    Step = model("consultations.ExpressionStep")
    through = Expression.objectifs.through
    rng = gen.rng("expressions")
    total = volume("expressions", gen.scale, 20)
    # « Moi aussi » are counted here, so that no update rewrites 200,000 rows afterwards:
    # a few expressions gather most of them, as in real life.
    supports_per_listed = volume("supports", gen.scale) / (total * LISTED_SHARE)
    most_supports = max(len(gen.habitants) - 1, 0)
    # Oldest first, so that primary keys follow time as they do in real life.
    moments = sorted(gen.days_ago(rng, 730) for _ in range(total))
    listed_by_quartier: dict[int, list[int]] = defaultdict(list)
    made = 0
    for start in range(0, total, CHUNK):
        rows, extras = [], []
        for created_at in moments[start : start + CHUNK]:
            quartier_id = rng.choice(gen.quartier_ids)
            online = rng.random() < 0.8
            residents = gen.residents.get(quartier_id) or gen.habitants
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            times = [created_at]
            for _ in PATHS[status][1:]:
                times.append(min(times[-1] + dt.timedelta(hours=rng.randrange(1, 96)), gen.anchor))
            published = times[1] if status not in {"soumise", "rejetee"} else None
            events = gen.events_by_quartier.get(quartier_id) or []
            consultations = gen.consultations_by_quartier.get(quartier_id) or []
            objectifs = gen.objectifs.get(quartier_id, [])
            chosen = rng.sample(objectifs, min(len(objectifs), rng.choice((0, 1, 1, 1, 2, 2))))
            visibility = rng.choices(("anonyme", "public", "privee"), weights=(6, 3, 1))[0]
            supports = 0
            if status in LISTED and visibility != "privee":
                tail = rng.paretovariate(PARETO_ALPHA) - 1
                expected = tail * supports_per_listed * (PARETO_ALPHA - 1)
                supports = min(int(expected + rng.random()), most_supports)
            rows.append(
                Expression(
                    quartier_id=quartier_id,
                    text=_text(rng),
                    objectifs_unknown=not chosen,
                    consultation_id=(
                        rng.choice(consultations) if consultations and rng.random() < 0.15 else None
                    ),
                    evenement_id=(
                        rng.choice(events)[0]
                        if events and not online and rng.random() < 0.7
                        else None
                    ),
                    source="en_ligne" if online else rng.choice(SOURCES),
                    visibility=visibility,
                    status=status,
                    author_id=rng.choice(residents) if online and residents else None,
                    recorded_by_id=(
                        rng.choice(gen.mediateurs) if not online and gen.mediateurs else None
                    ),
                    people_count=1 if online else rng.choice((1, 1, 2, 3, 5)),
                    age_group="" if online else rng.choice(("18_25", "26_59", "60_plus", "mixte")),
                    created_at=created_at,
                    published_at=published,
                    status_changed_at=times[-1],
                    supports_count=supports,
                )
            )
            extras.append((status, times, chosen))
        rows = bulk(Expression, rows, returning=True)
        steps, links, merged = [], [], []
        for expression, (status, times, chosen) in zip(rows, extras, strict=True):
            actor = expression.author_id or expression.recorded_by_id
            for step_status, moment in zip(PATHS[status], times, strict=True):
                if step_status != "soumise" and gen.mediateurs:
                    actor = rng.choice(gen.mediateurs)
                steps.append(
                    Step(
                        expression_id=expression.pk,
                        status=step_status,
                        note=STEP_NOTES.get(step_status, ""),
                        public=step_status != "rejetee",
                        actor_id=actor,
                        created_at=moment,
                    )
                )
            links.extend(through(expression_id=expression.pk, objectif_id=o) for o in chosen)
            same_quartier = listed_by_quartier[expression.quartier_id]
            if status == "fusionnee" and same_quartier:
                expression.merged_into_id = rng.choice(same_quartier)
                merged.append(expression)
            if status != "soumise":
                gen.moderated.append(expression.pk)
            if status in ROUTED:
                gen.routed.append((expression.pk, expression.quartier_id, status, times))
            if status in LISTED and expression.visibility != "privee":
                same_quartier.append(expression.pk)
                gen.listed.append(
                    (expression.pk, expression.author_id or 0, times[1], expression.supports_count)
                )
        bulk(Step, steps)
        bulk(through, links)
        Expression.objects.bulk_update(merged, ["merged_into"], batch_size=BATCH_SIZE)
        gen.count("etapes", len(steps))
        gen.count("liens_objectifs", len(links))
        made += len(rows)
    return made


def make_supports(gen: Generator) -> int:
    """As many « moi aussi » as each expression's ``supports_count``, by distinct residents."""
    Support = model("consultations.Support")
    rng = gen.rng("moi-aussi")
    rows, made = [], 0
    for expression_id, author_id, published, wanted in gen.listed:
        if not wanted:
            continue
        users = [u for u in rng.sample(gen.habitants, wanted + 1) if u != author_id][:wanted]
        span = max(int((gen.anchor - published).total_seconds()), 1)
        for user_id in users:
            rows.append(
                Support(
                    expression_id=expression_id,
                    user_id=user_id,
                    created_at=published + dt.timedelta(seconds=rng.randrange(span)),
                )
            )
        if len(rows) >= CHUNK:
            bulk(Support, rows)
            made, rows = made + len(rows), []
    bulk(Support, rows)
    return made + len(rows)


def make_signalements(gen: Generator) -> int:
    Signalement = model("consultations.Signalement")
    Expression = model("consultations.Expression")
    rng = gen.rng("signalements")
    if not gen.listed or not gen.habitants:
        return 0
    total = volume("signalements", gen.scale)
    reasons = [choice for choice, _label in Signalement.Reason.choices]
    seen: set[tuple[int, int]] = set()
    rows, flagged = [], []
    for expression_id, author_id, published, _supports in rng.sample(
        gen.listed, min(total, len(gen.listed))
    ):
        reporter = rng.choice(gen.habitants)
        if reporter == author_id or (expression_id, reporter) in seen:
            continue
        seen.add((expression_id, reporter))
        created = min(published + dt.timedelta(hours=rng.randrange(1, 200)), gen.anchor)
        resolved = rng.random() < 0.7
        rows.append(
            Signalement(
                expression_id=expression_id,
                reporter_id=reporter,
                reason=rng.choice(reasons),
                created_at=created,
                resolved_at=min(created + dt.timedelta(hours=6), gen.anchor) if resolved else None,
                resolved_by_id=rng.choice(gen.mediateurs) if resolved and gen.mediateurs else None,
            )
        )
        if not resolved:
            flagged.append((expression_id, created))
    bulk(Signalement, rows)
    for chunk in chunked(flagged, 500):
        for expression_id, created in chunk:
            Expression.objects.filter(pk=expression_id).update(flagged_at=created)
    return len(rows)


INSTANCES = (
    ("Comité de Pilotage Cohésion Sociale", "comite_pilotage"),
    ("Conseil Consultatif du Programme de Réussite Éducative", "conseil_consultatif"),
    ("Bailleurs sociaux du territoire", "bailleur"),
    ("Services techniques de la commune", "service_communal"),
    ("Centre social et associations de quartier", "association"),
    ("Partenaires de l'emploi et de l'insertion", "autre"),
)
TAGS = (
    "éclairage",
    "propreté",
    "jeux pour enfants",
    "transports",
    "tranquillité",
    "médiation",
    "emploi",
    "santé",
    "logement",
    "stationnement",
    "espaces verts",
    "commerces",
    "jeunesse",
    "aide aux devoirs",
    "accessibilité",
    "bruit",
    "voirie",
    "sport",
    "culture",
    "personnes âgées",
    "numérique",
    "accès aux droits",
    "parentalité",
    "fêtes de quartier",
    "marché",
    "déchets",
    "bancs et ombre",
    "vitesse",
)
ANSWERS = (
    ("retenue", "Retenue : les travaux sont programmés ; le service vous tiendra informés."),
    ("a_l_etude", "À l'étude : le service technique chiffre la demande d'ici la prochaine séance."),
    (
        "non_retenue",
        "Non retenue cette année : le budget est engagé ailleurs, nous en reparlerons.",
    ),
    ("deja_en_cours", "Déjà en cours : une action répond à cette demande depuis le printemps."),
)


def make_instances(gen: Generator) -> int:
    """The convention's two instances and four partners, with the comité members."""
    Instance = model("consultations.Instance")
    rng = gen.rng("instances")
    existing = {instance.name: instance for instance in Instance.objects.all()}
    new = [
        Instance(name=name, slug=slugify(name)[:80], kind=kind, description="")
        for name, kind in INSTANCES
        if name not in existing
    ]
    bulk(Instance, new, returning=True)
    instances = [
        existing.get(name) or next(i for i in new if i.name == name) for name, _ in INSTANCES
    ]
    gen.instances = [instance.pk for instance in instances]
    gen.members = {pk: [] for pk in gen.instances}
    through = Instance.members.through
    links = []
    for index, user_id in enumerate(gen.comite):
        chosen = {gen.instances[index % 2]}
        if rng.random() < 0.4:
            chosen.add(rng.choice(gen.instances))
        for instance_id in sorted(chosen):
            links.append(through(instance_id=instance_id, user_id=user_id))
            gen.members[instance_id].append(user_id)
    bulk(through, links)
    gen.count("membres d'instances", len(links))
    return len(new)


def make_transmissions(gen: Generator) -> int:
    """Every routed expression goes to the comité de pilotage, or to one or two partners."""
    Transmission = model("consultations.Transmission")
    rng = gen.rng("transmissions")
    if not gen.instances:
        return 0
    rows = []
    for pk, _quartier_id, _status, times in gen.routed:
        if rng.random() < 0.6:
            chosen = [gen.instances[0]]
        else:
            chosen = sorted(rng.sample(gen.instances, min(rng.choice((1, 2)), len(gen.instances))))
        gen.transmissions[pk] = chosen
        for instance_id in chosen:
            rows.append(
                Transmission(
                    expression_id=pk,
                    instance_id=instance_id,
                    note="À examiner avec les autres demandes du quartier.",
                    created_by_id=rng.choice(gen.mediateurs) if gen.mediateurs else None,
                    created_at=times[2],
                )
            )
    for chunk in chunked(rows, CHUNK):
        bulk(Transmission, chunk)
    return len(rows)


def make_etiquettes(gen: Generator) -> int:
    """A shared list of tags; most expressions a mediator has read carry one or two."""
    Etiquette = model("consultations.Etiquette")
    rng = gen.rng("etiquettes")
    existing = {tag.name.lower(): tag for tag in Etiquette.objects.all()}
    creator = gen.mediateurs[0] if gen.mediateurs else None
    new = [Etiquette(name=name, created_by_id=creator) for name in TAGS if name not in existing]
    bulk(Etiquette, new, returning=True)
    tags = [existing.get(name) or next(t for t in new if t.name == name) for name in TAGS]
    through = Etiquette.expressions.through
    links = []
    for pk in gen.moderated:
        if rng.random() < 0.6:
            for tag in rng.sample(tags, rng.choice((1, 1, 2))):
                links.append(through(etiquette_id=tag.pk, expression_id=pk))
    for chunk in chunked(links, CHUNK):
        bulk(through, chunk)
    gen.count("expressions étiquetées", len(links))
    return len(new)


def make_reponses(gen: Generator) -> int:
    """Quarterly séances; examined expressions on their agenda, grouped by quartier; answers.

    Expressions répondues are grouped so that the number of answers is the scale's (2,000
    at scale 1): one answer per agenda item, for every expression of the item.
    """
    Seance = model("consultations.Seance")
    AgendaItem = model("consultations.AgendaItem")
    AgendaEntry = model("consultations.AgendaEntry")
    Reponse = model("consultations.Reponse")
    rng = gen.rng("reponses")
    if not gen.instances:
        return 0
    tz = timezone.get_current_timezone()
    seances: dict[int, list] = {}
    rows = []
    for instance_id in gen.instances:
        seances[instance_id] = []
        for quarter in range(-8, 1):
            day = (gen.anchor + dt.timedelta(days=91 * quarter + 14)).astimezone(tz).date()
            starts_at = dt.datetime.combine(day, dt.time(18), tzinfo=tz)
            held = starts_at + dt.timedelta(hours=2)
            seance = Seance(
                instance_id=instance_id,
                title=f"Séance du {day:%d/%m/%Y}",
                starts_at=starts_at,
                place="Salle du conseil, mairie d'Auchel",
                examined_at=held if held < gen.anchor else None,
                created_by_id=gen.referents[0] if gen.referents else None,
            )
            rows.append(seance)
            seances[instance_id].append(seance)
    bulk(Seance, rows, returning=True)

    # Each examined expression goes to its first instance's first séance held after it came.
    buckets: dict[tuple[int, int, str], list[tuple[int, dt.datetime]]] = defaultdict(list)
    for pk, quartier_id, status, times in gen.routed:
        if status not in {"examinee", "repondue"} or pk not in gen.transmissions:
            continue
        instance_id = gen.transmissions[pk][0]
        held = [s for s in seances[instance_id] if s.examined_at is not None]
        seance = next((s for s in held if s.starts_at >= times[2]), held[-1])
        buckets[(seance.pk, quartier_id, status)].append((pk, times[-1]))

    answered = [len(v) for (_s, _q, status), v in buckets.items() if status == "repondue"]
    wanted = volume("answers", gen.scale)
    size = 1
    while sum(-(-n // size) for n in answered) > wanted and size < max(answered, default=1):
        size += 1
    seance_of = {s.pk: s for group in seances.values() for s in group}
    items, groups = [], []
    for (seance_pk, quartier_id, status), members in sorted(buckets.items()):
        for chunk in chunked(members, size):
            position = len(items) + 1
            items.append(
                AgendaItem(
                    seance_id=seance_pk,
                    title=f"Ce que disent les habitant·es de {gen.quartier_names[quartier_id]}",
                    position=position,
                    created_at=seance_of[seance_pk].starts_at - dt.timedelta(days=7),
                )
            )
            groups.append((status, chunk))
    bulk(AgendaItem, items, returning=True)
    entries, answers, answer_groups = [], [], []
    for item, (status, chunk) in zip(items, groups, strict=True):
        seance = seance_of[item.seance_id]
        entries += [
            AgendaEntry(item_id=item.pk, seance_id=seance.pk, expression_id=pk) for pk, _ in chunk
        ]
        if status != "repondue":
            continue
        decision, text = rng.choice(ANSWERS)
        members = gen.members.get(seance.instance_id) or gen.referents
        answers.append(
            Reponse(
                item_id=item.pk,
                seance_id=seance.pk,
                instance_id=seance.instance_id,
                decision=decision,
                text=text,
                public=rng.random() < 0.85,
                answered_by_id=rng.choice(members) if members else None,
                created_at=max(moment for _pk, moment in chunk),
            )
        )
        answer_groups.append(chunk)
    for chunk in chunked(entries, CHUNK):
        bulk(AgendaEntry, chunk)
    bulk(Reponse, answers, returning=True)
    through = Reponse.expressions.through
    links = [
        through(reponse_id=answer.pk, expression_id=pk)
        for answer, chunk in zip(answers, answer_groups, strict=True)
        for pk, _moment in chunk
    ]
    for chunk in chunked(links, CHUNK):
        bulk(through, chunk)
    gen.count("séances", len(rows))
    gen.count("points d'ordre du jour", len(items))
    return len(answers)


@dataclass(frozen=True)
class Step:
    """One kind of generated data. ``make`` is None until someone writes it for its models."""

    name: str
    models: tuple[str, ...]
    make: Callable[[Generator], int] | None


STEPS = (
    Step("quartiers", ("territory.Quartier", "territory.Objectif"), make_quartiers),
    Step("comptes", ("accounts.User", "account.EmailAddress"), make_accounts),
    Step("événements", ("evenements.Evenement",), make_events),
    Step("inscriptions", ("evenements.Inscription",), make_registrations),
    Step("consultations", ("consultations.Consultation",), make_consultations),
    Step(
        "expressions",
        ("consultations.Expression", "consultations.ExpressionStep"),
        make_expressions,
    ),
    Step("« moi aussi »", ("consultations.Support",), make_supports),
    Step("signalements", ("consultations.Signalement",), make_signalements),
    Step("instances", ("consultations.Instance",), make_instances),
    Step("transmissions", ("consultations.Transmission",), make_transmissions),
    Step("étiquettes", ("consultations.Etiquette",), make_etiquettes),
    Step(
        "réponses",
        (
            "consultations.Seance",
            "consultations.AgendaItem",
            "consultations.AgendaEntry",
            "consultations.Reponse",
        ),
        make_reponses,
    ),
)


def already_generated() -> bool:
    return model("accounts.User").objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()


def generate(
    *, seed: int, scale: float, anchor: dt.date, write: Callable[[str], None] = print
) -> Generator:
    """Fill the database; the caller wraps it in a transaction."""
    if already_generated():
        raise GenerationError(
            "Des données générées sont déjà là : utilisez une base neuve (ou --replace)."
        )
    tz = timezone.get_current_timezone()
    gen = Generator(
        seed=seed,
        scale=scale,
        anchor=dt.datetime.combine(anchor, dt.time(), tzinfo=tz),
        write=write,
    )
    for step in STEPS:
        missing = [label for label in step.models if not has_model(label)]
        if missing:
            write(f"- {step.name} : modèle {', '.join(missing)} absent, étape ignorée")
            continue
        if step.make is None:
            write(f"- {step.name} : le modèle existe, son générateur reste à écrire (ignoré)")
            continue
        started = timezone.now()
        made = step.make(gen)
        gen.count(step.name, made)
        seconds = (timezone.now() - started).total_seconds()
        write(f"- {step.name} : {made} lignes en {seconds:.1f} s")
    return gen


def analyze() -> None:
    """What autovacuum would do after a bulk load (PostgreSQL): planner statistics, and the
    visibility map that lets a count read an index alone (the moderation queue's)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def delete_generated() -> None:
    """Remove what ``generate`` made (the referential stays), children first."""
    User = model("accounts.User")
    users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    for label, lookup in (
        ("consultations.Reponse", None),
        ("consultations.Seance", None),
        ("consultations.Transmission", None),
        ("consultations.Etiquette", None),
        ("consultations.Expression", None),
        ("consultations.Consultation", "slug__startswith"),
        ("evenements.Inscription", None),
        ("evenements.Evenement", None),
    ):
        if not has_model(label):
            continue
        queryset = model(label).objects.all()
        if lookup:
            queryset = queryset.filter(**{lookup: "consultation-"})
        queryset.delete()
    model("mfa.Authenticator").objects.filter(user__in=users).delete()
    users.delete()
    model("territory.Quartier").objects.filter(code__startswith="QP 98 00").delete()
    model("territory.Commune").objects.filter(name__in=COMMUNES).delete()
