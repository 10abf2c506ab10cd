"""The référent edits the referential in the admin; every change is audited."""

import pytest

from participation.audit.models import AuditEntry
from participation.territory.models import Finding, Objectif, Quartier

ADMIN = "/gestion/admin/territory"


@pytest.mark.parametrize(
    "path",
    [
        "/quartier/",
        "/quartier/?q=Rimbart",
        "/objectif/?enjeu__id__exact=1",
        "/objectif/?q=mobilit%C3%A9",
        "/finding/?kind__exact=irritant",
        "/indicator/",
        "/enjeu/",
        "/commune/",
        "/agglomeration/",
    ],
)
def test_the_referent_browses_the_referential(client_for, referent, referentiel, path):
    assert client_for(referent).get(ADMIN + path).status_code == 200


def test_the_quartier_form_has_inlines_for_the_whole_portrait(client_for, referent, referentiel):
    quartier = Quartier.objects.get(slug="centre-ville")
    response = client_for(referent).get(f"{ADMIN}/quartier/{quartier.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="indicators-TOTAL_FORMS" value="7"' in html
    assert 'name="findings-TOTAL_FORMS" value="21"' in html
    assert 'name="objectifs-TOTAL_FORMS" value="21"' in html


def test_editing_an_objectif_is_audited(client_for, referent, referentiel):
    objectif = Objectif.objects.filter(quartier__slug="rimbart").first()
    response = client_for(referent).post(
        f"{ADMIN}/objectif/{objectif.pk}/change/",
        {
            "quartier": objectif.quartier_id,
            "enjeu": objectif.enjeu_id,
            "orientation": objectif.orientation,
            "intercommunal": objectif.intercommunal,
            "operationnel": "Renforcer la médiation sociale, avec deux médiateurs de plus",
            "position": objectif.position,
        },
    )
    assert response.status_code == 302
    objectif.refresh_from_db()
    assert objectif.operationnel.endswith("deux médiateurs de plus")
    entry = AuditEntry.objects.get(target_type="territory.objectif", target_id=str(objectif.pk))
    assert entry.actor == referent
    assert entry.action == "referentiel.modification"
    assert entry.before == {"operationnel": "Renforcer la médiation sociale"}
    assert entry.after["operationnel"].endswith("deux médiateurs de plus")


def test_deleting_a_finding_is_audited(client_for, referent, referentiel):
    finding = Finding.objects.filter(quartier__slug="rimbart").first()
    response = client_for(referent).post(f"{ADMIN}/finding/{finding.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Finding.objects.filter(pk=finding.pk).exists()
    assert AuditEntry.objects.filter(
        action="referentiel.suppression", target_id=str(finding.pk)
    ).exists()


@pytest.mark.parametrize("user", ["alice", "mediateur", "comite"])
def test_other_roles_cannot_edit_the_referential(client_for, referentiel, request, user):
    response = client_for(request.getfixturevalue(user)).get(f"{ADMIN}/quartier/")
    assert response.status_code == 302
    assert response["Location"].startswith("/gestion/admin/login/")


def form_data(response) -> dict:
    """The POST data of an admin change form as the browser would send it, unchanged."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for inline_form in formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[inline_form.add_prefix(name)] = str(value)
    return data


def test_editing_through_the_quartier_inlines_is_audited(client_for, referent, referentiel):
    client = client_for(referent)
    quartier = Quartier.objects.get(slug="rimbart")
    url = f"{ADMIN}/quartier/{quartier.pk}/change/"
    data = form_data(client.get(url))
    first = Finding.objects.filter(quartier=quartier).order_by("kind", "position").first()
    index = next(
        k
        for k, v in data.items()
        if k.startswith("findings-") and k.endswith("-id") and v == str(first.pk)
    )
    data[index.replace("-id", "-text")] = "Un cadre de vie mieux entretenu depuis 2025"
    data.pop(index.replace("-id", "-DELETE"), None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    first.refresh_from_db()
    assert first.text == "Un cadre de vie mieux entretenu depuis 2025"
    entry = AuditEntry.objects.get(target_type="territory.finding", target_id=str(first.pk))
    assert (entry.action, entry.after) == (
        "referentiel.modification",
        {"text": "Un cadre de vie mieux entretenu depuis 2025"},
    )
