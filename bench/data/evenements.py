"""Events over eighteen months, and the residents' registrations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from evenements.models import Evenement, Inscription

from . import Generator, volume
from .bulk import CHUNK, bulk
from .texts import WISHES

Kind = Evenement.Kind
# Each kind of event: its title, and its weight among the generated events.
EVENT_KINDS = {
    Kind.STAND: ("Stand de la médiation", 30),
    Kind.TABLE_RONDE: ("Table ronde : la vie du quartier", 15),
    Kind.NOS_QUARTIERS_ETE: ("Nos Quartiers d'Été", 10),
    Kind.TEMPS_INFORMATION: ("Temps d'information sur l'accès aux droits", 15),
    Kind.PERMANENCE: ("Permanence de médiation", 25),
    Kind.AUTRE: ("Rencontre des habitants", 5),
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


def make_events(gen: Generator) -> int:
    rng = gen.rng("evenements")
    total = volume("events", gen.scale, 10)
    always_open = max(10, total // 50)
    kinds = list(EVENT_KINDS)
    weights = [weight for _title, weight in EVENT_KINDS.values()]
    tz = timezone.get_current_timezone()
    made = 0
    for start in range(0, total, CHUNK):
        events, quartiers, extra_quartiers = [], [], []
        for index in range(start, min(start + CHUNK, total)):
            quartier_id = rng.choice(gen.quartier_ids)
            kind = rng.choices(kinds, weights=weights)[0]
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
                    title=f"{EVENT_KINDS[kind][0]} n° {index + 1}",
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
                    status=Evenement.Status.ANNULE if cancelled else Evenement.Status.PUBLIE,
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
            if event.registration_required and event.status == Evenement.Status.PUBLIE:
                gen.registration_events.append((event.pk, event.starts_at, event.capacity))
        bulk(through_q, links)
        bulk(through_o, objectifs)
        made += len(events)
    return made


def make_registrations(gen: Generator) -> int:
    rng = gen.rng("inscriptions")
    if not gen.registration_events or not gen.habitants:
        gen.write("  aucun événement avec inscription : étape vide")
        return 0
    total = volume("registrations", gen.scale)
    taken: dict[int, int] = defaultdict(int)
    seen: set[tuple[int, int]] = set()
    made, attempts = 0, 0
    rows = []
    Status = Inscription.Status
    while made + len(rows) < total and attempts < total * 3:
        attempts += 1
        event_id, starts_at, capacity = rng.choice(gen.registration_events)
        user_id = rng.choice(gen.habitants)
        if (event_id, user_id) in seen:
            continue
        seen.add((event_id, user_id))
        adults, children = rng.choice((1, 1, 1, 2, 2)), rng.choice((0, 0, 0, 1, 2, 3))
        requested = min(starts_at - dt.timedelta(hours=rng.randrange(2, 720)), gen.anchor)
        status = rng.choices((Status.CONFIRMEE, Status.ANNULEE), weights=(92, 8))[0]
        if status == Status.CONFIRMEE and capacity is not None:
            if taken[event_id] + adults + children > capacity:
                status = Status.ATTENTE
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
                confirmed_at=requested if status == Status.CONFIRMEE else None,
                cancelled_at=(
                    requested + dt.timedelta(hours=1) if status == Status.ANNULEE else None
                ),
                attended=(rng.random() < 0.8) if starts_at < gen.anchor else None,
            )
        )
        if len(rows) >= CHUNK:
            bulk(Inscription, rows)
            made, rows = made + len(rows), []
    bulk(Inscription, rows)
    # Written around the ORM's signals: the events' places are counted once, here.
    Evenement.objects.recount_places()
    return made + len(rows)


def delete_generated() -> None:
    """Every registration and every event, generated or not (``--replace`` says so)."""
    # Their registrations go with them (counting the places of events being deleted is
    # skipped, evenements.models).
    Evenement.objects.all().delete()
