"""CSV and XLSX exports of the routed expressions: read back, filtered, never leaking names."""

import csv
import datetime as dt
import io
import os
import tracemalloc

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations.committee import export_jobs, exports
from consultations.models import (
    ExportJob,
    Expression,
    Source,
    Transmission,
    Visibility,
)
from consultations.storage import private_storage
from participation.notifications.models import Notification
from tests.factories import ObjectifFactory, UserFactory

from .factories import EtiquetteFactory, routed

pytestmark = pytest.mark.django_db
CSV_URL = reverse("consultations:committee_export", args=["csv"])
XLSX_URL = reverse("consultations:committee_export", args=["xlsx"])


@pytest.fixture
def rows(instance_a, instance_b, rimbart, cite5, mediateur):
    """Three expressions routed to A (one named, one anonymous, one from a stand), one to B."""
    named_author = UserFactory(display_name="Josiane", email="josiane@example.org")
    hidden_author = UserFactory(display_name="Gérard Secret", email="gerard@example.org")
    objectif = ObjectifFactory(quartier=cite5, operationnel="Créer un jardin partagé à la Cité")
    named = routed(
        instance_a,
        quartier=rimbart,
        author=named_author,
        visibility=Visibility.PUBLIC_NAMED,
        text="L'éclairage de la rue Émile Zola est en panne depuis un mois.",
        supports_count=4,
    )
    anonymous = routed(
        instance_a,
        quartier=cite5,
        author=hidden_author,
        visibility=Visibility.PUBLIC_ANONYMOUS,
        text='=HYPERLINK("http://example.org") ça déborde, les poubelles !',
        objectifs=[objectif],
    )
    field = routed(
        instance_a,
        quartier=cite5,
        author=None,
        recorded_by=mediateur,
        source=Source.TABLE_RONDE,
        people_count=6,
        contact="06 12 34 56 78",
        contact_consent=True,
        text="Les jeunes veulent un local à eux, près du city stade.",
    )
    routed(instance_b, quartier=rimbart, text="Chez le bailleur seulement.")
    EtiquetteFactory(name="propreté", expressions=[anonymous])
    return {"named": named, "anonymous": anonymous, "field": field}


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(response):
    data = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_the_csv_reads_back_with_its_columns_rows_and_accents(rows, comite, client_for):
    response = client_for(comite).get(CSV_URL)
    table = read_csv(response)
    assert "attachment" in response["Content-Disposition"]
    assert table[0] == exports.header()
    assert table[0][:3] == ["N°", "Dite le", "Quartier"]
    by_number = {int(row[0]): dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert set(by_number) == {rows["named"].pk, rows["anonymous"].pk, rows["field"].pk}
    named = by_number[rows["named"].pk]
    assert named["Auteur·rice (nom affiché)"] == "Josiane"
    assert named["Message"] == "L'éclairage de la rue Émile Zola est en panne depuis un mois."
    assert named["« Moi aussi »"] == "4"
    assert named["Transmise à"] == "Comité de Pilotage Cohésion Sociale (test)"
    anonymous = by_number[rows["anonymous"].pk]
    assert anonymous["Quartier"] == "Cité 5"
    assert anonymous["Auteur·rice (nom affiché)"] == "un·e habitant·e de Cité 5"
    assert anonymous["Objectifs"] == "Créer un jardin partagé à la Cité"
    assert anonymous["Étiquettes"] == "propreté"
    # A cell that a spreadsheet would run as a formula is defused.
    assert anonymous["Message"].startswith("'=HYPERLINK")
    field = by_number[rows["field"].pk]
    assert field["Recueillie"] == "table ronde"
    assert field["Auteur·rice (nom affiché)"] == "6 habitant·es de Cité 5"
    flat = repr(table)
    for secret in ("Gérard", "gerard@example.org", "06 12 34 56 78", "Chez le bailleur"):
        assert secret not in flat


def test_the_xlsx_reads_back_with_the_same_rows(rows, comite, client_for):
    response = client_for(comite).get(XLSX_URL)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    table = read_xlsx(response)
    assert list(table[0]) == exports.header()
    numbers = sorted(row[0] for row in table[1:])
    assert numbers == sorted([rows["named"].pk, rows["anonymous"].pk, rows["field"].pk])
    by_number = {row[0]: row for row in table[1:]}
    assert by_number[rows["named"].pk][9].startswith("L'éclairage de la rue Émile Zola")
    assert by_number[rows["anonymous"].pk][9].startswith("'=HYPERLINK")
    assert by_number[rows["anonymous"].pk][2] == "Cité 5"
    assert "Gérard" not in repr(table) and "06 12 34 56 78" not in repr(table)


def test_exports_follow_the_dashboard_filters(rows, comite, client_for):
    table = read_csv(client_for(comite).get(CSV_URL + "?quartier=cite-5&source=table_ronde"))
    assert [int(row[0]) for row in table[1:]] == [rows["field"].pk]


def test_an_export_with_no_rows_says_so_and_makes_no_file(rows, comite, client_for):
    response = client_for(comite).get(CSV_URL + "?quartier=cite-5&source=stand")
    assert response["Content-Type"].startswith("text/html")
    assert "l'export serait vide" in response.content.decode()


def test_an_export_with_nonsense_filters_is_refused_with_a_message(rows, comite, client_for):
    response = client_for(comite).get(XLSX_URL + "?du=2026-02-31")
    assert response.status_code == 400
    assert "rien n'est exporté" in response.content.decode()


def test_an_unknown_format_does_not_exist(comite, client_for):
    assert client_for(comite).get("/comite/export/pdf/").status_code == 404


def test_a_long_export_runs_in_the_background_for_its_requester_only(
    rows, comite, claire, client_for, settings, django_capture_on_commit_callbacks, client
):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    browser = client_for(comite)
    assert browser.get(CSV_URL + "?quartier=cite-5").streaming  # 2 rows: at once
    page = browser.get(CSV_URL)
    assert "Cet export compte 3 expressions" in page.content.decode()
    assert "préparé en arrière-plan" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(CSV_URL)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.state == ExportJob.State.READY and job.progress == 100 and job.total == 3
    state = browser.get(reverse("consultations:export_job_state", args=[job.pk])).json()
    assert state["progress"] == 100 and state["download"].endswith("/fichier/")
    html = browser.get(job.get_absolute_url()).content.decode()
    assert 'value="100"' in html and "Télécharger le fichier CSV" in html
    assert Notification.objects.filter(user=comite, url=job.get_absolute_url()).exists()

    download = browser.get(reverse("consultations:export_job_download", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(table) == 4 and table[0] == exports.header()
    assert str(job.file.name).startswith("exports/")

    browser.force_login(claire)
    for name in ("export_job", "export_job_state", "export_job_download"):
        assert browser.get(reverse(f"consultations:{name}", args=[job.pk])).status_code == 404


def test_a_background_xlsx_export_has_its_rows(
    rows, comite, client_for, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    browser = client_for(comite)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(XLSX_URL)
    job = ExportJob.objects.get()
    download = browser.get(reverse("consultations:export_job_download", args=[job.pk]))
    table = read_xlsx(download)
    assert len(table) == 4


def test_a_job_whose_file_is_not_ready_cannot_be_downloaded(comite, client_for):
    job = ExportJob.objects.create(requester=comite, format="csv", total=10)
    browser = client_for(comite)
    html = browser.get(job.get_absolute_url()).content.decode()
    assert "actualiser la page" in html and 'value="0"' in html
    assert browser.get(f"{job.get_absolute_url()}fichier/").status_code == 404


def insert_copies(expression, count):
    """``count`` copies of a routed expression, written by the database itself (fast)."""
    from django.db import connection

    table = Expression._meta.db_table
    columns = [f.column for f in Expression._meta.concrete_fields if not f.primary_key]
    values = ["'Expression n° ' || n.i" if column == "text" else column for column in columns]
    transmission = Transmission.objects.get(expression=expression)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "  # noqa: S608
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {table}, n WHERE {table}.id = %s",
            [count, expression.pk],
        )
        cursor.execute(
            f"INSERT INTO {Transmission._meta.db_table} "  # noqa: S608
            f"(expression_id, instance_id, note, created_at) "
            f"SELECT id, %s, '', created_at FROM {table} WHERE id <> %s",
            [transmission.instance_id, expression.pk],
        )


@pytest.mark.slow
def test_a_30000_row_csv_export_streams_in_constant_memory(
    instance_a, rimbart, comite, client_for, settings
):
    settings.EXPORT_INLINE_MAX_ROWS = 200_000
    insert_copies(routed(instance_a, quartier=rimbart, created_at=timezone.now()), 29_999)
    assert Expression.objects.count() == 30_000
    response = client_for(comite).get(CSV_URL)
    assert response.streaming

    lines = 0
    samples = []
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            if lines % 3_000 == 0:
                samples.append(tracemalloc.get_traced_memory()[0])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert lines == 30_001  # the header and every row
    assert len(samples) == 10
    # One chunk of 2,000 rows at a time: the peak stays under 6 MB (the file is about 5 MB
    # here, 17 MB at 100,000 rows), and the memory held after 6,000 rows is the memory
    # held after 30,000.
    assert peak < 6 * 1024 * 1024, peak
    assert max(samples[1:]) - min(samples[1:]) < 1024 * 1024, samples


def test_exports_older_than_a_week_are_deleted_with_their_file(comite, rows, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    old = export_jobs.request_job(user=comite, format="csv", query="", total=3)
    export_jobs.build_job(old.pk)
    old.refresh_from_db()
    path = private_storage.path(old.file.name)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    recent = ExportJob.objects.create(requester=comite, format="csv")

    assert export_jobs.purge_jobs() == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not os.path.exists(path)
