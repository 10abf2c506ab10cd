"""get_FOO_display() of the listed models, and the constant fragments of every page."""

from unittest import mock

from consultations.models import Expression, Source, Status
from evenements.models import Evenement


def test_the_label_of_the_stored_value_in_french():
    expression = Expression(status=Status.REPONDUE, source=Source.STAND)
    assert expression.get_status_display() == str(Status.REPONDUE.label)
    assert expression.get_source_display() == str(Source.STAND.label)
    assert Evenement(kind=Evenement._meta.get_field("kind").choices[0][0]).get_kind_display()


def test_an_unknown_value_is_shown_as_stored():
    assert Expression(status="inconnu").get_status_display() == "inconnu"


def test_only_the_label_shown_is_translated():
    Expression(status=Status.PUBLIEE).get_status_display()  # the field's labels are kept
    with mock.patch("django.utils.translation._trans.gettext", side_effect=str) as gettext:
        Expression(status=Status.PUBLIEE).get_status_display()
    assert gettext.call_count == 1


def test_constant_fragments_are_rendered_once_per_language(monkeypatch):
    from participation.core.templatetags import platform

    renders = []
    monkeypatch.setattr(platform, "_constant_fragments", {})
    monkeypatch.setattr(platform, "render_to_string", lambda name: renders.append(name) or "<li>")
    assert platform.include_constant("partials/nav_apps.html") == "<li>"
    assert platform.include_constant("partials/nav_apps.html") == "<li>"
    assert renders == ["partials/nav_apps.html"]
