"""The project's select template (templates/django/forms/widgets/select.html) writes each
option itself instead of including Django's option template: the HTML must stay Django's own,
byte for byte, for every kind of select the forms use."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting

CHOICES = [
    ("", "Tous les quartiers"),
    ("rimbart", "Rimbart"),
    ("rue-d'en-haut", 'Rue « d\'en "haut" »'),
]
GROUPED = [
    ("Enjeu 1 : l'emploi", [(1, "Objectif 1.1"), (2, "Objectif <1.2>")]),
    ("Enjeu 2", [(3, "Objectif 2.1")]),
    (4, "Sans enjeu"),
]


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=CHOICES), "rimbart"),
        (forms.Select(choices=CHOICES, attrs={"aria-describedby": "aide", "required": True}), ""),
        (forms.Select(choices=GROUPED, attrs={"disabled": True, "class": "a b"}), 2),
        (forms.SelectMultiple(choices=GROUPED), [1, 3, 4]),
        (forms.NullBooleanSelect(), True),
        (forms.Select(choices=[]), None),
    ],
)
def test_a_select_is_written_as_django_writes_it(widget, value):
    ours = widget.render("champ", value, attrs={"id": "id_champ"}, renderer=TemplatesSetting())
    djangos = widget.render("champ", value, attrs={"id": "id_champ"}, renderer=DjangoTemplates())

    assert ours == djangos
    assert "<option" in ours or not widget.choices
