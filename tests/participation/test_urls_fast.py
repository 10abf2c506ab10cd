"""reverse_pk() gives what reverse() gives, under any script prefix."""

from django.urls import clear_script_prefix, reverse, set_script_prefix

from participation.core.urls_fast import reverse_pk


def test_the_same_urls_as_reverse():
    for name in (
        "consultations:expression_detail",
        "consultations:expression_support",
        "evenements:detail",
    ):
        for pk in (1, 42, 918273645, 10**12):
            assert reverse_pk(name, pk) == reverse(name, kwargs={"pk": pk})


def test_under_a_script_prefix():
    set_script_prefix("/participation/")
    try:
        assert reverse_pk("evenements:detail", 7) == "/participation/evenements/7/"
        assert reverse_pk("evenements:detail", 7) == reverse("evenements:detail", kwargs={"pk": 7})
    finally:
        clear_script_prefix()
    assert reverse_pk("evenements:detail", 7) == "/evenements/7/"
