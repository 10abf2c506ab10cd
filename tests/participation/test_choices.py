"""get_FOO_display() of the listed models, and the constant blocks of every page."""

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


def test_a_constant_block_is_drawn_once_per_language_without_the_page_context():
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load platform i18n %}{% constant %}<a href=\"{% url 'core:home' %}\">"
        "{% translate 'Mon profil' %}</a>{{ secret }}{% endconstant %}"
    )
    with translation.override("fr"):
        first = template.render(Context({"secret": "jeton-de-alice"}))
        with mock.patch("django.urls.reverse") as reverse:
            again = template.render(Context({"secret": "jeton-de-bob"}))
    assert first == again == '<a href="/">Mon profil</a>'  # no context: nothing personal
    reverse.assert_not_called()
    with translation.override("en"):
        template.render(Context())
    assert set(template.nodelist.get_nodes_by_type(platform_constant_node())[0].rendered) == {
        "fr",
        "en",
    }


def platform_constant_node():
    from participation.core.templatetags.platform import ConstantNode

    return ConstantNode
