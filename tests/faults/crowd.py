"""A crowd of signed-in residents browsing, posting expressions and registering to events.

Each resident is a thread with its own cookies, pausing a moment between actions as a
person does. What the server acknowledged is recorded: an expression is acknowledged by
the ``302`` to its page (its idempotency key and the id in ``Location``), a registration by
the ``302`` back to the event. Afterwards ``count_stored`` checks in the database that every
acknowledged expression is stored exactly once.

``retry=True`` makes a resident send the same form again (same idempotency key, as the
browser's form does) when the server failed to answer, for tests that break the database
under the crowd's feet.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from .residents import Resident

EXPRESSION_LINK = re.compile(r'href="/expressions/(\d+)/"')
EVENT_LINK = re.compile(r'href="/evenements/(\d+)/"')
ACKNOWLEDGED = re.compile(r"^/expressions/(\d+)/$")


@dataclass
class Failure:
    at: float  # seconds since the start
    what: str


@dataclass
class Outcome:
    started: float = field(default_factory=time.monotonic)
    requests: Counter = field(default_factory=Counter)
    # idempotency key -> expression id given in the acknowledgement
    expressions: dict[str, int] = field(default_factory=dict)
    attempted: set[str] = field(default_factory=set)
    registrations: set[tuple[str, int]] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    retries: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(Failure(time.monotonic() - self.started, what))

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def timed(self, kind: str, call):
        began = time.monotonic()
        try:
            return call()
        finally:
            with self.lock:
                self.requests[kind] += 1
                self.latencies.append(time.monotonic() - began)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Crowd:
    def __init__(
        self,
        platform,
        people: dict,
        events: list[int],
        *,
        marker: str,
        think: tuple[float, float] = (0.5, 2.5),
        max_posts: int = 4,
        post_share: float = 0.15,
        register_share: float = 0.1,
        retry: bool = False,
        retry_for: float = 40,
    ):
        self.platform = platform
        self.people = people
        self.events = events
        self.marker = marker
        self.think = think
        self.max_posts = max_posts
        self.post_share = post_share
        self.register_share = register_share
        self.retry = retry
        self.retry_for = retry_for
        self.outcome = Outcome()

    # --- running ---------------------------------------------------------------------

    def run(self, duration: float) -> Outcome:
        self.outcome = Outcome()
        deadline = time.monotonic() + duration
        threads = [
            threading.Thread(target=self._live, args=(n, person, deadline), daemon=True)
            for n, person in enumerate(self.people["residents"])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            # Bounded: a stuck request times out after Resident.timeout, a retry loop after retry_for.
            thread.join(timeout=duration + self.retry_for + 60)
            if thread.is_alive():
                self.outcome.fail("a resident was still busy long after the end")
        return self.outcome

    def _live(self, number: int, person: dict, deadline: float) -> None:
        rng = random.Random(number)
        resident = Resident(
            base_url=self.platform.url,
            email=person["email"],
            cookies={"sessionid": person["session"]},
        )
        state = {"posts": 0, "registered": set(), "expressions": [], "quartier": person["quartier"]}
        # Start spread over the first think time, as people do not all click at once.
        time.sleep(rng.uniform(0, self.think[1]))
        while time.monotonic() < deadline:
            roll = rng.random()
            try:
                if roll < self.post_share and state["posts"] < self.max_posts:
                    state["posts"] += 1
                    self._post(resident, rng, state)
                elif roll < self.post_share + self.register_share and len(
                    state["registered"]
                ) < len(self.events):
                    self._register(resident, rng, state)
                else:
                    self._browse(resident, rng, state)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the crowd
                self.outcome.fail(f"{person['email']}: {type(exc).__name__}: {exc}")
            time.sleep(rng.uniform(*self.think))

    # --- actions ----------------------------------------------------------------------

    def _get(self, resident: Resident, path: str, kind: str):
        response = self.outcome.timed(kind, lambda: resident.get(path))
        if response.status != 200:
            raise AssertionError(f"GET {path} answered {response.status}")
        return response

    def _browse(self, resident: Resident, rng: random.Random, state: dict) -> None:
        choice = rng.choice(
            ["home", "expressions", "expression", "events", "event", "mine", "quartier", "mine"]
        )
        if choice == "home":
            self._get(resident, "/", "page")
        elif choice == "expressions":
            page = self._get(resident, "/expressions/", "page")
            state["expressions"] = EXPRESSION_LINK.findall(page.body)[:20]
        elif choice == "expression":
            ids = state["expressions"] or ["0"]
            if ids == ["0"]:
                page = self._get(resident, "/expressions/", "page")
                ids = state["expressions"] = EXPRESSION_LINK.findall(page.body)[:20] or ["0"]
            if ids != ["0"]:
                self._get(resident, f"/expressions/{rng.choice(ids)}/", "page")
        elif choice == "events":
            self._get(resident, "/evenements/", "page")
        elif choice == "event":
            self._get(resident, f"/evenements/{rng.choice(self.events)}/", "page")
        elif choice == "mine":
            self._get(
                resident, rng.choice(["/mes-expressions/", "/evenements/mes-inscriptions/"]), "page"
            )
        else:
            slug = rng.choice(self.people["quartier_slugs"])
            self._get(resident, f"/quartiers/{slug}/", "page")

    def _send(self, resident: Resident, path: str, data: dict, accept) -> str | None:
        """POST until ``accept(response)`` gives a value; retries only failures of the server."""
        give_up = time.monotonic() + self.retry_for
        while True:
            try:
                response = self.outcome.timed("post", lambda: resident.post(path, data))
            except OSError as exc:  # refused, reset, timed out
                problem = f"POST {path}: {type(exc).__name__}: {exc}"
            else:
                value = accept(response)
                if value is not None:
                    return value
                problem = f"POST {path} answered {response.status}"
                if response.status < 500:
                    raise AssertionError(problem + f": {response.body[:300]}")
            if not self.retry or time.monotonic() > give_up:
                raise AssertionError(problem)
            with self.outcome.lock:
                self.outcome.retries += 1
            self.outcome.fail(f"(retried) {problem}")
            time.sleep(0.5)

    def _post(self, resident: Resident, rng: random.Random, state: dict) -> None:
        hidden = self._form(resident)
        key = hidden.get("idempotency_key") or str(uuid.uuid4())
        hidden["idempotency_key"] = key
        text = f"{self.marker} {resident.email} n°{state['posts']} : {rng.choice(SENTENCES)}"
        data = Resident.expression_data(hidden, quartier=state["quartier"], text=text)
        with self.outcome.lock:
            self.outcome.attempted.add(key)

        def accept(response):
            match = ACKNOWLEDGED.match(response.location) if response.status == 302 else None
            return match.group(1) if match else None

        expression_id = self._send(resident, "/expressions/nouvelle/", data, accept)
        with self.outcome.lock:
            self.outcome.expressions[key] = int(expression_id)

    def _form(self, resident: Resident) -> dict[str, str]:
        give_up = time.monotonic() + self.retry_for
        while True:
            try:
                return dict(self._get(resident, "/expressions/nouvelle/", "page").hidden_fields())
            except (AssertionError, OSError) as exc:
                if not self.retry or time.monotonic() > give_up:
                    raise
                self.outcome.fail(f"(retried) form: {exc}")
                time.sleep(0.5)

    def _register(self, resident: Resident, rng: random.Random, state: dict) -> None:
        event = rng.choice([e for e in self.events if e not in state["registered"]])
        page = self._get(resident, f"/evenements/{event}/", "page")
        token = page.hidden_fields()["csrfmiddlewaretoken"]
        target = f"/evenements/{event}/"

        def accept(response):
            return "ok" if response.status == 302 and response.location == target else None

        self._send(
            resident,
            f"/evenements/{event}/inscription/",
            {"csrfmiddlewaretoken": token, "adults": 1, "children": rng.choice([0, 0, 1, 2])},
            accept,
        )
        state["registered"].add(event)
        with self.outcome.lock:
            self.outcome.registrations.add((resident.email, event))

    # --- counting ---------------------------------------------------------------------

    def count_stored(self) -> dict:
        """What the database holds for this crowd: expressions by key, registrations."""
        rows = self.platform.query(
            "SELECT idempotency_key::text, id FROM consultations_expression WHERE text LIKE %s",
            (self.marker.replace("%", r"\%").replace("_", r"\_") + "%",),
        )
        keys = Counter(key for key, _ in rows)
        registrations = self.platform.query(
            "SELECT u.email, i.evenement_id FROM evenements_inscription i "
            "JOIN accounts_user u ON u.id = i.user_id "
            "WHERE i.evenement_id = ANY(%s) AND u.email LIKE %s",
            (self.events, self.people["prefix"] + "%"),
        )
        return {
            "expressions": dict(rows),
            "duplicated": [key for key, count in keys.items() if count > 1],
            "rows": len(rows),
            "registrations": [[email, event] for email, event in registrations],
        }


SENTENCES = [
    "les trottoirs de la rue Jean Jaurès sont trop étroits pour les poussettes.",
    "il faudrait un banc près de l'arrêt de bus.",
    "merci pour la fête de quartier, on en voudrait une autre en septembre.",
    "l'éclairage du passage derrière l'école ne marche plus depuis un mois.",
    "un atelier d'aide aux démarches en ligne serait utile le samedi matin.",
    "les jeunes aimeraient un terrain de foot avec des filets.",
]


def prepare_people(platform, count: int, *, prefix: str, events: int) -> tuple[dict, list[int]]:
    """``count`` signed-in residents and ``events`` upcoming events open to registration."""
    from .residents import create_residents

    people = create_residents(
        platform,
        count,
        prefix=prefix,
        extra=(
            "from tests.evenements.factories import EvenementFactory\n"
            "every = list(Quartier.objects.all())\n"
            f"result['events'] = [EvenementFactory(title=f'Permanence n° {{n}}', quartiers=every).pk"
            f" for n in range({events})]\n"
            "result['quartier_slugs'] = [q.slug for q in every]\n"
        ),
    )
    people["prefix"] = prefix
    return people, people["events"]
