from django.urls import reverse


def test_the_ceiling_answers_a_fixed_text_without_any_sql_query(
    client, django_assert_num_queries, db
):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:bench_ceiling"))

    assert response.status_code == 200
    assert response.content == b"Bonjour, Auchel.\n"
    assert response["Content-Type"].startswith("text/plain")


def test_the_ceiling_sets_no_cookie(client, db):
    response = client.get(reverse("core:bench_ceiling"))

    assert not response.cookies


def test_the_ceiling_only_answers_reads(client, db):
    response = client.post(reverse("core:bench_ceiling"))

    assert response.status_code in {403, 405}
