"""The bench's work inside Django, run as a subprocess against the bench database.

    python -m bench.django_side prepare PLAN.json --posters 400
    python -m bench.django_side queries PLAN.json

``prepare`` picks the sample objects in the generated data, resolves every scenario's URL
(or notes it missing), and opens sessions for the people the scenarios need. ``queries``
counts the SQL queries of every page with Django's test client, on a cache miss.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

from bench.data import EMAIL_DOMAIN

# Placeholders the load generator fills per request; a URL kwarg holding one is reversed
# with this number, then the number is put back as the placeholder.
PER_REQUEST = ("csrf", "uuid", "n", "event")
SENTINEL = "987654321"
SEARCH_WORD = "éclairage"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    import django

    django.setup()


def fill(template: str, sample: dict[str, object]) -> str:
    """Fill the per-run placeholders; leave the per-request ones for the load generator."""
    values = {key: str(value) for key, value in sample.items()}
    values.update({key: "{" + key + "}" for key in PER_REQUEST})
    return template.format_map(values)


def encode_body(body: dict[str, str], sample: dict) -> str:
    """Form-encode, keeping per-request placeholders readable for the load generator."""
    return "&".join(
        f"{quote_plus(key)}={quote_plus(fill(value, sample), safe='{}')}"
        for key, value in body.items()
    )


def resolve(scenario, sample: dict) -> dict:
    from django.urls import NoReverseMatch, reverse

    attempts = [scenario.kwargs, {}] if scenario.kwargs else [{}]
    for name in scenario.url_names:
        for kwargs in attempts:
            filled = {key: fill(value, sample) for key, value in kwargs.items()}
            reversible = {
                key: SENTINEL if value == "{event}" else value for key, value in filled.items()
            }
            try:
                path = reverse(name, kwargs=reversible)
            except NoReverseMatch:
                continue
            path = path.replace(SENTINEL, "{event}")
            if scenario.query:
                query = {key: fill(value, sample) for key, value in scenario.query.items()}
                path += "?" + urlencode(query, quote_via=quote)
            route = {"name": name, "path": path}
            if scenario.body:
                route["body"] = encode_body(scenario.body, sample)
            return route
    return {"missing": " | ".join(scenario.url_names)}


def pick_sample() -> dict:
    from django.apps import apps
    from django.utils import timezone

    Quartier = apps.get_model("territory", "Quartier")
    quartier = Quartier.objects.filter(slug="rimbart").first() or Quartier.objects.first()
    if quartier is None:
        raise SystemExit("Aucun quartier : le référentiel n'est pas chargé.")
    sample: dict[str, object] = {
        "quartier_slug": quartier.slug,
        "quartier_pk": quartier.pk,
        "objectif_pk": quartier.objectifs.order_by("pk").values_list("pk", flat=True).first() or "",
        "search": SEARCH_WORD,
        "event_pk": 0,
        "expression_pk": 0,
    }
    now = timezone.now()
    if _has("evenements", "Evenement"):
        events = apps.get_model("evenements", "Evenement").objects.filter(status="publie")
        event = (
            events.filter(quartiers=quartier, ends_at__gte=now).order_by("starts_at").first()
            or events.order_by("-starts_at").first()
        )
        sample["event_pk"] = event.pk if event else 0
    if _has("consultations", "Expression"):
        expression = (
            apps.get_model("consultations", "Expression")
            .objects.listed()
            .filter(quartier=quartier)
            .order_by("-supports_count", "pk")
            .first()
        )
        sample["expression_pk"] = expression.pk if expression else 0
    return sample


def _has(app_label: str, model_name: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def open_session(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def registration_events(limit: int = 300) -> list[int]:
    from django.apps import apps
    from django.utils import timezone

    if not _has("evenements", "Evenement"):
        return []
    return list(
        apps.get_model("evenements", "Evenement")
        .objects.filter(
            status="publie",
            registration_required=True,
            capacity__isnull=True,
            starts_at__gt=timezone.now() + timezone.timedelta(days=1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def websocket_paths() -> list[str]:
    from participation.routing import websocket_urlpatterns

    return [str(pattern.pattern) for pattern in websocket_urlpatterns]


def prepare(posters: int, sockets: int) -> dict:
    from django.apps import apps
    from django.db.models import Count

    from bench.scenarios import FEEDS, SCENARIOS

    User = apps.get_model("accounts", "User")
    generated = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", is_active=True)
    sample = pick_sample()
    routes = {scenario.key: resolve(scenario, sample) for scenario in SCENARIOS}

    habitants = generated.filter(role="habitant")
    # The newest accounts post and register: they have no history that would slow their
    # first post. The reader is chosen among the others, so that the posts and registrations
    # of a previous run (--reuse-data) never change whose pages are read.
    pool = list(habitants.order_by("-pk")[: posters + 1])
    reader = (
        habitants.exclude(pk__in=[user.pk for user in pool])
        .annotate(total=Count("expressions"))
        .order_by("-total", "pk")
        .first()
    )
    staff = {
        role: generated.filter(role=role).order_by("pk").first()
        for role in ("mediateur", "comite", "referent")
    }
    sessions = {"reader": open_session(reader)} if reader else {}
    sessions.update({role: open_session(user) for role, user in staff.items() if user})
    author, pool = (pool[0], pool[1:]) if pool else (None, [])

    paths = websocket_paths()
    feed = next((f for f in FEEDS if f.path in paths), None)
    realtime: dict = {"ws_paths": paths}
    if feed is not None and author is not None:
        if feed.listener == "mediateur":
            mediators = list(generated.filter(role="mediateur").order_by("pk")[:sockets])
            listener_sessions = [open_session(user) for user in mediators]
        else:
            listener_sessions = [open_session(author)]
        realtime.update(
            path="/" + feed.path.lstrip("/"),
            label=feed.label,
            listeners=[listener_sessions[i % len(listener_sessions)] for i in range(sockets)],
            author=open_session(author),
        )
    return {
        "sample": sample,
        "routes": routes,
        "sessions": sessions,
        "posters": [open_session(user) for user in pool],
        "events": registration_events(),
        "realtime": realtime,
    }


def count_queries(plan: dict) -> dict:
    """SQL queries of each page on a cache miss, after one request has warmed the process."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios import SCENARIOS

    results = {}
    for scenario in SCENARIOS:
        route = plan["routes"].get(scenario.key, {})
        if not scenario.counts_queries or "path" not in route:
            continue
        client = Client(raise_request_exception=False)
        if scenario.user:
            client.cookies[settings.SESSION_COOKIE_NAME] = plan["sessions"][scenario.user]
        client.get(route["path"])
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(route["path"])
        results[scenario.key] = {"queries": len(captured), "status": response.status_code}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("prepare", "queries"))
    parser.add_argument("plan", type=Path)
    parser.add_argument("--posters", type=int, default=400)
    parser.add_argument("--sockets", type=int, default=50)
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "prepare":
        plan = prepare(args.posters, args.sockets)
        args.plan.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        plan = json.loads(args.plan.read_text(encoding="utf-8"))
        json.dump(count_queries(plan), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
