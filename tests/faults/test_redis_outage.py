"""Redis stopped: residents keep reading, posting and registering; the emails follow later.

Redis carries the cache (rate limits), the channel layer (live pages) and the Celery broker.
None of them is needed to serve a page or to store what a resident sends: the platform must
degrade (no live update, no rate limit, emails delayed), answer 503 on /sante/ naming Redis,
and send every notification once Redis is back, through the beat sweep of stored emails.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings

from .marks import wait_for_mark
from .report import Tally
from .residents import Resident, create_residents, signed_in

# Sweep stored emails every few seconds instead of every minute (settings.EMAIL_SWEEP_SECONDS).
ENV = {"EMAIL_SWEEP_SECONDS": "3"}
PASSWORD = "une-phrase-de-passe-2030"
PAGES = [
    "/",
    "/expressions/",
    "/evenements/",
    "/evenements/calendrier/",
    "/evenements/calendrier.ics",
    "/consultations/",
    "/pilotage/",
    "/vous-avez-dit-nous-avons-fait/",
    "/comptes/login/",
    "/comptes/signup/",
    "/api/",
]
SIGNED_IN_PAGES = ["/mes-expressions/", "/evenements/mes-inscriptions/", "/notifications/"]
# Every answer must come quickly: a Redis outage may not make pages hang.
FAST = 5.0

# Added to the shell that makes the residents: an event to register to, a quartier's page.
_EVENT = """
from tests.evenements.factories import EvenementFactory
first = Quartier.objects.order_by("pk").first()
result["event"] = EvenementFactory(title="Table ronde pendant la panne", quartiers=[first]).pk
result["quartier_slug"] = first.slug
"""


def _timed(call):
    began = time.monotonic()
    response = call()
    return response, time.monotonic() - began


def _health(resident: Resident):
    import json

    response, seconds = _timed(lambda: resident.get("/sante/"))
    return response.status, json.loads(response.body), seconds


def _wait_for_emails(platform, address: str, count: int, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        found = platform.live.emails_to(address)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_residents_read_post_and_register_while_redis_is_stopped(platform_factory):
    platform = platform_factory(env=ENV)
    people = create_residents(platform, 3, prefix="panne-redis-", password=PASSWORD, extra=_EVENT)
    poster, registrant, returning = (signed_in(platform, r) for r in people["residents"])
    quartier = people["residents"][0]["quartier"]
    event_id = people["event"]
    anonymous = Resident(base_url=platform.url, email="")
    pages = [*PAGES, f"/quartiers/{people['quartier_slug']}/", f"/evenements/{event_id}/"]
    assert _health(anonymous)[0] == 200

    with Tally("faults", "Redis arrêté", total=7) as tally:
        platform.redis.stop()

        # /sante/ says that Redis is down, quickly.
        status, report, seconds = _health(anonymous)
        assert status == 503, report
        assert seconds < FAST, f"/sante/ took {seconds:.1f} s with Redis stopped"
        broken = {name for name, state in report["services"].items() if state["etat"] != "ok"}
        assert broken == {"cache", "couche_temps_reel", "file_de_taches"}, report
        assert all(report["services"][name]["service"] == "Redis" for name in broken), report
        assert report["services"]["base_de_donnees"]["etat"] == "ok"
        tally.passed(f"/sante/ 503 nommant Redis en {seconds:.1f} s")

        # Pages, anonymous and signed in.
        for path in pages:
            response, seconds = _timed(lambda path=path: anonymous.get(path))
            assert response.status == 200, (path, response.status, response.body[:2000])
            assert seconds < FAST, f"{path} took {seconds:.1f} s with Redis stopped"
        for path in SIGNED_IN_PAGES:
            response, seconds = _timed(lambda path=path: poster.get(path))
            assert response.status == 200, (path, response.status, response.body[:2000])
            assert seconds < FAST, f"{path} took {seconds:.1f} s with Redis stopped"
        tally.passed(f"{len(pages) + len(SIGNED_IN_PAGES)} pages servies")

        # An expression: acknowledged by the redirect to it, stored once.
        hidden = poster.expression_form()
        data = Resident.expression_data(hidden, quartier=quartier, text="Posté pendant la panne.")
        response, seconds = _timed(lambda: poster.post("/expressions/nouvelle/", data))
        assert response.status == 302, (response.status, response.body[:2000])
        assert response.location.startswith("/expressions/")
        assert seconds < FAST, f"posting took {seconds:.1f} s with Redis stopped"
        tally.passed("expression acceptée")

        # A registration to an event.
        page = registrant.get(f"/evenements/{event_id}/")
        token = page.hidden_fields()["csrfmiddlewaretoken"]
        response, seconds = _timed(
            lambda: registrant.post(
                f"/evenements/{event_id}/inscription/",
                {"csrfmiddlewaretoken": token, "adults": 1, "children": 0},
            )
        )
        assert response.status == 302, (response.status, response.body[:2000])
        assert seconds < FAST
        tally.passed("inscription acceptée")

        # Signing in with a password (allauth's rate limits live in the cache: they fail open).
        visitor = Resident(base_url=platform.url, email=people["residents"][2]["email"])
        token = visitor.get("/comptes/login/").hidden_fields()["csrfmiddlewaretoken"]
        response, seconds = _timed(
            lambda: visitor.post(
                "/comptes/login/",
                {"csrfmiddlewaretoken": token, "login": visitor.email, "password": PASSWORD},
            )
        )
        assert response.status == 302, (response.status, response.body[:2000])
        assert visitor.get("/mes-expressions/").status == 200
        tally.passed("connexion acceptée")

        # Signing up: the verification code is sent at once (it does not go through Celery).
        newcomer = Resident(
            base_url=platform.url, email=f"nouvelle-{uuid.uuid4().hex[:8]}@example.org"
        )
        token = newcomer.get("/comptes/signup/").hidden_fields()["csrfmiddlewaretoken"]
        response = newcomer.post(
            "/comptes/signup/",
            {
                "csrfmiddlewaretoken": token,
                "email": newcomer.email,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status == 302, (response.status, response.body[:2000])
        assert len(platform.live.emails_to(newcomer.email)) == 1
        tally.passed("création de compte acceptée, code envoyé")

        stored = platform.query(
            "SELECT (SELECT count(*) FROM consultations_expression e JOIN accounts_user u"
            " ON u.id = e.author_id WHERE u.email = %s),"
            " (SELECT count(*) FROM evenements_inscription i JOIN accounts_user u"
            " ON u.id = i.user_id WHERE u.email = %s)",
            (poster.email, registrant.email),
        )
        assert stored == [(1, 1)]
        # The notifications wait in the email table; nothing could reach the broker.
        assert platform.live.emails_to(poster.email) == []
        assert platform.live.emails_to(registrant.email) == []
        assert returning.get("/").status == 200

        # Redis comes back, empty (no persistence): the stored emails go out, once each.
        platform.redis.start()
        back_after = time.monotonic()
        expression_mails = _wait_for_emails(platform, poster.email, 1, timeout=90)
        registration_mails = _wait_for_emails(platform, registrant.email, 1, timeout=30)
        delay = time.monotonic() - back_after
        assert len(expression_mails) == 1, platform.live.tail_logs()
        assert len(registration_mails) == 1, platform.live.tail_logs()
        # A few more sweeps: nothing is sent a second time.
        time.sleep(8)
        assert len(platform.live.emails_to(poster.email)) == 1
        assert len(platform.live.emails_to(registrant.email)) == 1
        assert platform.query("SELECT count(*) FROM notifications_email WHERE sent_at IS NULL") == [
            (0,)
        ]
        assert _health(anonymous)[0] == 200
        tally.passed(f"2 notifications envoyées une fois, {delay:.0f} s après le retour de Redis")


# How long the slow email backend takes to send one email.
SENDING = 3.0


def test_health_and_posting_stay_bounded_in_time_when_redis_hangs(platform_factory, tmp_path):
    """A frozen Redis (SIGSTOP) accepts connections and never answers: nothing may hang, and
    the worker, both of whose processes were sending when Redis froze (their acknowledgements
    then got no answer), takes tasks again once Redis is back."""
    marks = tmp_path / "marks"
    marks.mkdir()
    platform = platform_factory(
        env={
            **ENV,
            "EMAIL_BACKEND": "tests.faults.mail.SlowFileEmailBackend",
            "FAULTS_EMAIL_DELAY": str(SENDING),
            "FAULTS_MARKS_DIR": str(marks),
        }
    )
    people = create_residents(platform, 1, prefix="redis-fige-")
    poster = signed_in(platform, people["residents"][0])
    anonymous = Resident(base_url=platform.url, email="")
    hidden = poster.expression_form()
    early = [f"redis-fige-envoi-{n}@example.org" for n in range(2)]

    with Tally("faults", "Redis figé (SIGSTOP)", total=5) as tally:
        platform.orm(
            "from participation.notifications.services import queue_email\n"
            f"for address in {early!r}:\n"
            "    queue_email(to=address, subject='Bonjour', body='Avant que Redis ne fige.')\n"
            "result = True\n"
        )
        seen: set[str] = set()
        senders = {wait_for_mark(marks, seen).name.split("-")[0] for _ in range(2)}
        assert len(senders) == 2, f"both of the worker's processes sending: {seen}"
        platform.redis.freeze()
        frozen_at = time.monotonic()
        try:
            status, report, health_seconds = _health(anonymous)
            assert status == 503, report
            assert health_seconds < 10, f"/sante/ took {health_seconds:.1f} s with Redis frozen"
            broken = {name for name, state in report["services"].items() if state["etat"] != "ok"}
            assert broken == {"cache", "couche_temps_reel", "file_de_taches"}, report
            tally.passed(f"/sante/ 503 en {health_seconds:.1f} s")

            response, page_seconds = _timed(lambda: anonymous.get("/expressions/"))
            assert response.status == 200
            assert page_seconds < FAST
            tally.passed(f"page en {page_seconds:.1f} s")

            data = Resident.expression_data(
                hidden, quartier=people["residents"][0]["quartier"], text="Redis figé."
            )
            response, post_seconds = _timed(lambda: poster.post("/expressions/nouvelle/", data))
            assert response.status == 302, (response.status, response.body[:2000])
            # The rate limit (1 s), two live events (2 s each) and the email's task (2 s) time out.
            assert post_seconds < 15, f"posting took {post_seconds:.1f} s with Redis frozen"
            tally.passed(f"expression acceptée en {post_seconds:.1f} s")
            # Frozen until the two emails are sent and their acknowledgements have waited
            # for Redis in vain.
            # (How long a call to the broker waits for Redis: the platform's own setting.)
            broker_wait = settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"]
            time.sleep(max(0.0, frozen_at + SENDING + broker_wait + 1 - time.monotonic()))
        finally:
            platform.redis.thaw()

        # The worker takes the sweep again: the expression's email goes out. (kombu's own
        # Redis transport kept both of its slots taken for good: nothing was sent any more.)
        mails = _wait_for_emails(platform, poster.email, 1, timeout=90)
        assert len(mails) == 1, platform.live.tail_logs()
        time.sleep(5)
        assert len(platform.live.emails_to(poster.email)) == 1
        tally.passed("courriel envoyé une fois après le retour")
        sent = [len(platform.live.emails_to(address)) for address in early]
        assert sent == [1, 1], platform.live.tail_logs()
        tally.passed("les 2 courriels en cours d'envoi au gel partis une fois, le worker repris")
