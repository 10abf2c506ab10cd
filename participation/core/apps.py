import sqlite3

from django.apps import AppConfig

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _adapt_int_for_sqlite(value: int) -> int | str:
    # sqlite3 raises OverflowError (a 500) on an integer beyond 64 bits, e.g. an id typed
    # into a URL or a form. As text, SQLite compares it numerically and it matches nothing,
    # which is what PostgreSQL answers for the same query.
    return value if INT64_MIN <= value <= INT64_MAX else str(value)


class CoreConfig(AppConfig):
    name = "participation.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings

        from . import checks  # noqa: F401 - registers the deploy checks

        if any(db["ENGINE"].endswith("sqlite3") for db in settings.DATABASES.values()):
            sqlite3.register_adapter(int, _adapt_int_for_sqlite)
