"""The one field template (templates/django/forms/field.html), as a visitor meets it: every
field named by a label or a legend, its help and its errors read with it, required fields
marked, and the pages' error summaries leading to the field."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from participation.accounts.models import Role
from tests.consultations.factories import ExpressionFactory
from tests.factories import QuartierFactory, UserFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = {name: value or "" for name, value in attrs}
        self.parent = parent
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Page(HTMLParser):
    """The elements of some HTML, each with its attributes and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self._open[-1] if self._open else None)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def by_id(self, id_: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == id_), None)

    def find(self, tag: str, **attrs) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def name_of(self, control: Element) -> str:
        """What a screen reader says a control is: its label, or its group's legend."""
        labels = self.find("label", **{"for": control.attrs.get("id", "")})
        if labels and control.attrs.get("id"):
            return labels[0].text
        for ancestor in control.ancestors():
            if ancestor.tag == "fieldset":
                legends = [e for e in self.elements if e.tag == "legend" and e.parent is ancestor]
                return legends[0].text if legends else ""
        return ""

    def description_of(self, element: Element) -> list[Element]:
        ids = element.attrs.get("aria-describedby", "").split()
        return [self.by_id(id_) for id_ in ids]


def visible_controls(page: Page) -> list[Element]:
    return [
        e
        for e in page.elements
        if e.tag in {"input", "select", "textarea"}
        and e.attrs.get("type") not in {"hidden", "submit", "button"}
    ]


def assert_descriptions_exist(page: Page) -> None:
    for element in page.elements:
        if "aria-describedby" in element.attrs:
            described = page.description_of(element)
            assert all(described), f"{element.tag} {element.attrs} points to a missing id"


class Signalement(forms.Form):
    """A form with one field of each kind the site uses."""

    name = forms.CharField(label="Votre nom", help_text="Comme vous voulez être appelé·e.")
    kind = forms.ChoiceField(
        label="Type de rencontre",
        choices=[("stand", "Stand"), ("table", "Table ronde")],
        widget=forms.RadioSelect,
        help_text="Un seul choix.",
    )
    tags = forms.MultipleChoiceField(
        label="Étiquettes", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="Me recontacter", required=False)
    note = forms.CharField(label="Précisions", required=False, widget=forms.Textarea)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Rien n'a été enregistré.")


def refused_form() -> Signalement:
    form = Signalement(data={"name": "", "note": "", "token": "x"})
    form.is_valid()
    return form


def test_every_visible_field_is_named_by_a_label_or_a_legend():
    page = Page(str(refused_form()))

    names = {c.attrs["name"]: page.name_of(c) for c in visible_controls(page)}

    assert names["name"].startswith("Votre nom")
    assert names["note"] == "Précisions"
    assert names["agree"] == "Me recontacter"
    radios = page.find("input", type="radio")
    assert [page.name_of(r) for r in radios] == ["Stand", "Table ronde"]
    legend = page.find("legend")[0]
    assert legend.text.startswith("Type de rencontre")


def test_help_and_errors_are_read_with_their_field():
    page = Page(str(refused_form()))
    assert_descriptions_exist(page)

    name = page.find("input", name="name")[0]
    described = [e.text for e in page.description_of(name)]
    assert described == ["Comme vous voulez être appelé·e.", "Ce champ est obligatoire."]
    assert name.attrs["aria-invalid"] == "true"
    group = page.find("fieldset", **{"aria-describedby": "id_kind_helptext id_kind_error"})
    assert len(group) == 1
    assert page.by_id("id_kind_error").text == "Ce champ est obligatoire."
    note = page.find("textarea", name="note")[0]
    assert "aria-invalid" not in note.attrs and "aria-describedby" not in note.attrs


def test_required_fields_say_so_and_optional_ones_do_not():
    page = Page(str(refused_form()))

    assert "(obligatoire)" in page.name_of(page.find("input", name="name")[0])
    assert "(obligatoire)" in page.find("legend")[0].text
    assert "obligatoire" not in page.name_of(page.find("textarea", name="note")[0])


def test_a_field_its_service_requires_is_marked_when_included_by_name():
    template = Template(
        '{% include "django/forms/field.html" with field=form.note required=True %}'
    )

    page = Page(template.render(Context({"form": Signalement()})))

    assert page.name_of(page.find("textarea")[0]) == "Précisions (obligatoire)"


def test_a_group_with_nothing_to_choose_says_so():
    page = Page(Signalement()["tags"].as_field_group())

    assert page.find("legend")[0].text == "Étiquettes"
    assert "Aucun choix possible." in page.find("ul")[0].text


def test_a_whole_form_shows_its_general_error_first_and_keeps_its_hidden_fields():
    html = str(refused_form())
    page = Page(html)

    alert = page.find("div", role="alert")[0]
    assert alert.text == "Rien n'a été enregistré."
    assert html.index('role="alert"') < html.index("Votre nom")
    token = page.find("input", type="hidden", name="token")[0]
    assert token.attrs["value"] == "x" and not page.name_of(token)


@pytest.mark.django_db
def test_a_refused_expression_says_why_next_to_the_field_and_the_summary_leads_there(
    client_for, alice
):
    alice.quartier = QuartierFactory()
    alice.save()

    response = client_for(alice).post(
        reverse("consultations:expression_create"),
        {"quartier": alice.quartier.pk, "text": "", "visibility": "anonyme"},
    )

    assert response.status_code == 200
    page = Page(response.content.decode())
    assert_descriptions_exist(page)
    text = page.find("textarea", name="text")[0]
    assert page.name_of(text).endswith("(obligatoire)")
    assert text.attrs["aria-invalid"] == "true"
    error = page.by_id("id_text_error")
    assert error is not None and error in page.description_of(text)
    link = page.find("a", href="#champ-text")[0]
    assert error.text in link.parent.text
    assert page.by_id("champ-text") is not None
    for control in visible_controls(page):
        assert page.name_of(control), f"{control.attrs} has no label"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/expressions/nouvelle/",
        "/expressions/terrain/",
        "/evenements/gestion/nouveau/",
        "/moderation/etiquettes/",
    ],
)
def test_the_forms_of_the_staff_pages_name_every_field_and_describe_nothing_missing(
    client_for, path
):
    QuartierFactory()
    mediator = UserFactory(role=Role.MEDIATEUR)

    response = client_for(mediator).get(path)

    assert response.status_code == 200, path
    page = Page(response.content.decode())
    assert_descriptions_exist(page)
    for control in visible_controls(page):
        if control.attrs.get("name") in {"q", None}:
            continue  # the header's search box, if any, has its own label
        assert page.name_of(control), f"{path}: {control.attrs} has no label"


@pytest.mark.django_db
def test_a_moderation_page_shows_its_forms_through_the_same_template(client_for, mediateur):
    expression = ExpressionFactory()

    response = client_for(mediateur).get(
        reverse("consultations:moderation_expression", args=[expression.pk])
    )

    page = Page(response.content.decode())
    assert_descriptions_exist(page)
    assert page.find("ul", **{"class": "choice-list"}), "no group of choices drawn"
    for control in visible_controls(page):
        assert page.name_of(control), f"{control.attrs} has no label"


@pytest.mark.django_db
def test_a_refused_quartier_says_why_with_the_list_of_quartiers(client_for, alice):
    alice.quartier = QuartierFactory()
    alice.save()

    response = client_for(alice).post(
        reverse("consultations:expression_create"),
        {"quartier": "999999", "text": "Un banc cassé.", "visibility": "anonyme"},
    )

    page = Page(response.content.decode())
    assert_descriptions_exist(page)
    select = page.find("select", name="quartier")[0]
    [error] = page.description_of(select)
    assert "choix valide" in error.text
