"""One SMS where possible: 160 GSM-7 characters, 70 in UCS-2, counted as the network does."""

import pytest

from participation.notifications.sms import one_sms, to_gsm7
from participation.notifications.sms_backends import is_gsm7, sms_length

LINK = "https://participation.auchel.fr/r/e2k/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rappel : stand demain à 10 h, église", (36, 160)),  # é è à are GSM-7
        ("Prix : 5 €", (11, 160)),  # € takes two septets (the extension table)
        ("Leçon", (5, 70)),  # ç is not: the whole SMS switches to UCS-2
        ("Réunion 👍", (10, 70)),  # an emoji takes two UTF-16 units
    ],
)
def test_the_length_is_counted_as_the_network_counts_it(text, expected):
    assert sms_length(text) == expected


def test_french_typography_is_made_gsm7_so_the_sms_keeps_160_characters():
    text = "« Fête de l’été » : reçu, à côté du théâtre – où ? Noël…"

    assert to_gsm7(text) == '"Fete de l\'été" : recu, à coté du théatre - où ? Noel...'
    assert is_gsm7(to_gsm7(text))


def test_a_short_notice_and_its_link_fit_as_they_are():
    body = one_sms("Votre inscription à « Stand du marché » est confirmée.", LINK)

    assert body == f'Votre inscription à "Stand du marché" est confirmée. {LINK}'


def test_a_long_notice_is_shortened_never_its_link():
    body = one_sms("Votre expression a reçu une réponse : " + "Les bancs seront posés. " * 20, LINK)

    assert sms_length(body) == (160, 160)
    assert body.endswith(f"... {LINK}")


def test_extension_characters_count_twice_when_shortening():
    body = one_sms("€" * 200, LINK)

    assert sms_length(body)[0] <= 160
    assert body.endswith(f"... {LINK}")


def test_a_name_in_another_alphabet_is_kept_whole_in_unicode():
    body = one_sms("Bienvenue Даша", LINK)

    assert body == f"Bienvenue Даша {LINK}"
    assert sms_length(body)[1] == 70
