"""Property-based fuzzing (Hypothesis) of every form of the site: random input never gives a 500.

The forms are found by crawling the URLConf (``crawl.py``), so each form another feature adds
is fuzzed without being listed here. For each form and each kind of visitor, Hypothesis posts
random text, unicode, huge strings, hostile payloads, random choices and random files in
every field it found, with the CSRF token, and the test client re-raises any exception
a view lets through. Bounded: ``FUZZ_EXAMPLES`` examples per form (default 8), derandomized
so that ``make test`` is reproducible; ``FUZZ_RANDOM=1 FUZZ_EXAMPLES=200`` explores by hand,
and ``FUZZ_SKIP=<regex>`` leaves out the form actions it matches (to look past a known bug).
"""

import os
import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .crawl import Form, crawl, unique_forms

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
RANDOM = bool(os.environ.get("FUZZ_RANDOM"))
SKIP = re.compile(os.environ["FUZZ_SKIP"]) if os.environ.get("FUZZ_SKIP") else None

PAYLOADS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "../../../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "%s%s%n",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "9999-12-31T23:59",
    "\u202e\ufeff\u200b",
    "🏠👩‍👩‍👧",
    "x@",
    "a@b.c",
]
texts = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["A", "é", "𝕏", " ", "\n"]),
        st.integers(10_000, 200_000),
    ),
)
IMAGE_HEADERS = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"<svg", b"PK\x03\x04"]
files = st.builds(
    lambda head, body, name: SimpleUploadedFile(name, head + body),
    st.sampled_from(IMAGE_HEADERS),
    st.binary(max_size=2048),
    st.sampled_from(
        ["photo.jpg", "photo.png", "x.svg", "x.html", "x.jpg.php", ".jpg", "a" * 300 + ".jpg"]
    ),
)


def value_strategy(field):
    if field.kind == "file":
        return files
    if field.options:
        choices = st.sampled_from(field.options)
        if field.kind in {"checkbox", "select"}:
            choices = st.one_of(choices, st.lists(st.sampled_from(field.options), max_size=3))
        return st.one_of(choices, texts)
    if field.kind == "hidden" and field.value:
        return st.one_of(st.just(field.value), texts)
    return texts


def form_strategy(form: Form):
    fields = {
        name: value_strategy(field)
        for name, field in form.fields.items()
        if name != "csrfmiddlewaretoken"
    }
    # Fields may be left out altogether, as a tampered request would.
    return st.fixed_dictionaries({}, optional=fields)


def shorten(data: dict) -> str:
    """The posted data, readable: long values cut, files named."""
    shown = {}
    for name, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            value = f"<file {value.name[:40]!r}, {value.size} bytes>"
        text = repr(value)
        shown[name] = text if len(text) <= 80 else f"{text[:60]}… ({len(text)} chars)"
    return "{" + ", ".join(f"{k!r}: {v}" for k, v in shown.items()) + "}"


ERROR_LINK = re.compile(r'<a href="#(champ-[^"]+)"')


def assert_error_links_lead_somewhere(response, what: str) -> None:
    """Each link of a refused form's error summary leads to its field on the page."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    for target in ERROR_LINK.findall(html):
        assert f'id="{target}"' in html, f"{what}: the error link #{target} leads nowhere"


def fuzz(client: Client, form: Form, log_in, statuses: Counter) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=form_strategy(form))
    def post(data):
        log_in()  # a form may end or change the session
        try:
            response = client.post(form.action, data)
        except Exception as exc:
            raise AssertionError(f"POST {form.action} {shorten(data)} raised {exc!r}") from exc
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"POST {form.action} {shorten(data)}"
        assert_error_links_lead_somewhere(response, f"POST {form.action} {shorten(data)}")

    post()


VISITORS = ["anonymous", "resident", "mediateur"]


@pytest.mark.parametrize("who", VISITORS)
def test_random_input_in_any_form_never_causes_a_server_error(who, site_data, request):
    client = Client()  # re-raises a view's exception: the failure shows the traceback
    user = (
        None if who == "anonymous" else request.getfixturevalue({"resident": "alice"}.get(who, who))
    )

    def log_in():
        if user is not None:
            client.force_login(user)

    crawler = Client(raise_request_exception=False)
    if user is not None:
        crawler.force_login(user)
    forms = [
        form
        for form in unique_forms(crawl(crawler), "post")
        if SKIP is None or not SKIP.search(form.action)
    ]
    statuses: Counter = Counter()
    for form in forms:
        fuzz(client, form, log_in, statuses)
    print(
        f"fuzz ({who}): {len(forms)} forms, {sum(statuses.values())} posts, "
        f"statuses {dict(sorted(statuses.items()))}: {[f.action for f in forms]}"
    )
    assert forms, "no form found: the crawler is broken"
