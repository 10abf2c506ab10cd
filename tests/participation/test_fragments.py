"""Rows drawn once per content (participation/core/fragments.py): read back while nothing
they show has changed, drawn again as soon as something has."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from consultations import changes
from consultations.models import Status
from consultations.moderation import services as moderation
from participation.core import fragments
from tests.consultations.factories import ExpressionFactory

MY_ROW = "consultations/partials/my_expression_card.html"
QUEUE_ROW = "consultations/moderation/_row.html"


def cards(response) -> str:
    page = response.content.decode()
    start = page.index('<ul class="my-expressions">')
    return page[start : page.index("</ul>", start)]


def drawn(response, template_name) -> int:
    return sum(template.name == template_name for template in response.templates)


@pytest.mark.django_db
def test_my_expressions_draws_each_row_once_then_reads_it_back(client_for, alice):
    ExpressionFactory.create_batch(3, author=alice)
    client = client_for(alice)

    first = client.get(reverse("consultations:my_expressions"))
    again = client.get(reverse("consultations:my_expressions"))

    assert drawn(first, MY_ROW) == 3
    assert drawn(again, MY_ROW) == 0
    assert cards(again) == cards(first)


@pytest.mark.django_db
def test_a_row_whose_expression_changed_is_drawn_again_with_the_change(
    client_for, alice, mediateur
):
    waiting, other = ExpressionFactory.create_batch(2, author=alice, status=Status.SOUMISE)
    client = client_for(alice)
    page = client.get(reverse("consultations:my_expressions")).content.decode()
    assert page.count("status-soumise") == 2

    moderation.publish(waiting, actor=mediateur)
    waiting.quartier.short_name = "Rimbart-Nord"
    waiting.quartier.save()
    response = client.get(reverse("consultations:my_expressions"))

    page = response.content.decode()
    assert drawn(response, MY_ROW) == 1  # the other row did not change
    assert page.count("status-soumise") == 1 and "status-publiee" in page
    assert "Rimbart-Nord" in page


@pytest.mark.django_db
def test_the_queue_reads_its_rows_and_forms_back_and_shows_a_new_expression_at_once(
    client_for, mediateur
):
    ExpressionFactory.create_batch(2, status=Status.SOUMISE)
    client = client_for(mediateur)
    first = client.get(reverse("consultations:moderation_queue"))
    again = client.get(reverse("consultations:moderation_queue"))
    assert drawn(first, QUEUE_ROW) == 2
    assert drawn(again, QUEUE_ROW) == 0
    assert drawn(again, "consultations/moderation/_filter_fields.html") == 0
    assert drawn(again, "consultations/moderation/_bulk_fields.html") == 0

    newcomer = ExpressionFactory(status=Status.SOUMISE, text="Un banc cassé place du marché.")
    changes.announce("expression.submitted", newcomer.pk)
    response = client.get(reverse("consultations:moderation_queue"))

    page = response.content.decode()
    assert drawn(response, QUEUE_ROW) == 1
    assert "Un banc cassé place du marché." in page
    assert "<span data-visible-count>3</span> expressions attendent" in page


@pytest.mark.django_db
def test_a_row_is_drawn_from_the_state_it_is_read_in(alice):
    expression = ExpressionFactory(author=alice)
    french = fragments.render_rows(MY_ROW, [expression], name="expression")

    expression.status = Status.PUBLIEE
    published = fragments.render_rows(MY_ROW, [expression], name="expression")

    assert ">En attente de lecture<" in french[0] and ">Publiée<" in published[0]


def test_materials_that_differ_in_any_value_or_type_are_kept_apart():
    import datetime as dt
    from decimal import Decimal

    from django.template.loader import get_template

    template = get_template(MY_ROW)
    day = dt.date(2026, 12, 6)
    materials = [
        (1, "a"),
        (True, "a"),
        (1.0, "a"),
        (Decimal("1"), "a"),
        ("1", "a"),
        (1, "a "),
        (day, "a"),
        (dt.datetime(2026, 12, 6, tzinfo=dt.UTC), "a"),
        ((1, "a"),),
        # Nothing to pickle it with: written out instead, and still told apart.
        (lambda: 1, "a"),
    ]

    keys = [fragments.fragment_key(template, material) for material in materials]

    assert len(set(keys)) == len(materials)
    assert fragments.fragment_key(template, (1, "a")) == keys[0]
    assert fragments.fragment_key(template, (dt.date(2026, 12, 6), "a")) == keys[6]


@pytest.mark.django_db
def test_a_checked_box_is_part_of_what_a_queue_row_is_drawn_from():
    expression = ExpressionFactory(status=Status.SOUMISE)
    plain = fragments.render_rows(QUEUE_ROW, [expression], name="expression", checked=frozenset())
    checked = fragments.render_rows(
        QUEUE_ROW, [expression], name="expression", checked=frozenset({str(expression.pk)})
    )
    assert " checked" not in plain[0] and " checked" in checked[0]


def test_a_row_template_may_neither_include_by_variable_nor_carry_a_csrf_token(settings, tmp_path):
    (tmp_path / "with_variable.html").write_text("{% include row.template %}")
    (tmp_path / "with_token.html").write_text("{% csrf_token %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    for name in ("with_variable.html", "with_token.html"):
        with pytest.raises(ImproperlyConfigured):
            fragments.render_rows(name, [object()], name="row")


@pytest.mark.django_db
def test_an_edited_row_template_or_inclusion_is_drawn_again_without_a_restart(settings, tmp_path):
    (tmp_path / "row.html").write_text('<li>{{ row.pk }}{% include "mark.html" %}</li>')
    (tmp_path / "mark.html").write_text(" ✓")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    expression = ExpressionFactory()
    assert fragments.render_rows("row.html", [expression], name="row") == [
        f"<li>{expression.pk} ✓</li>"
    ]

    (tmp_path / "mark.html").write_text(" ✔")  # what the reloader sees: a new template
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    assert fragments.render_rows("row.html", [expression], name="row") == [
        f"<li>{expression.pk} ✔</li>"
    ]


def test_the_release_changes_with_the_code_and_templates(settings, tmp_path):
    (tmp_path / "app").mkdir()
    row = tmp_path / "app" / "row.html"
    row.write_text("<li>{{ row }}</li>")
    (tmp_path / "var").mkdir()
    settings.BASE_DIR = tmp_path
    fragments.release.cache_clear()
    try:
        before = fragments.release()
        (tmp_path / "var" / "upload.html").write_text("not code")  # var/ is not the release
        fragments.release.cache_clear()
        assert fragments.release() == before
        row.write_text("<li>{{ row }} !</li>")
        fragments.release.cache_clear()
        assert fragments.release() != before
    finally:
        fragments.release.cache_clear()


@pytest.mark.django_db
def test_lists_and_the_queue_are_drawn_as_before_while_redis_is_down(settings, alice, mediateur):
    from tests.e2e.server import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "participation.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    ExpressionFactory(author=alice, status=Status.SOUMISE, text="Un trottoir défoncé.")

    # Two browsers: signing one in after the other on the same session would sign the first
    # out for good, as a sign-out Redis cannot carry out does (accounts/sessions.py).
    resident, staff = Client(), Client()
    resident.force_login(alice)
    staff.force_login(mediateur)
    for _ in range(2):
        mine = resident.get(reverse("consultations:my_expressions"))
        queue = staff.get(reverse("consultations:moderation_queue"))
        assert drawn(mine, MY_ROW) == 1 and "Un trottoir défoncé." in mine.content.decode()
        assert drawn(queue, QUEUE_ROW) == 1 and "Un trottoir défoncé." in queue.content.decode()
