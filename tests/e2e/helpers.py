"""What every browser journey needs: signing in, and the checks each page must pass.

from tests.e2e.helpers import assert_page_is_sound, login

def test_a_mediator_sees_the_queue(page, live_platform):
    login(page, "mediateur@demo.auchel.fr", DEMO_PASSWORD)  # TOTP from the demo secret
    page.goto("/moderation/")
    assert_page_is_sound(page)  # axe (WCAG 2.1 A/AA) + 320 px + console clean
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_WEIGHT_BUDGET = 100_000  # bytes transferred on a first load (issue 9)
NARROW = {"width": 320, "height": 640}
LOGIN_URL = "/comptes/login/"
TOTP_PERIOD = 30

_axe = Axe()
# allauth refuses a TOTP code used twice by one account within its period.
_last_totp_counter: dict[tuple[str, str], int] = {}


# --- console and CSP ------------------------------------------------------------------

CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " in " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@dataclass
class ConsoleLog:
    """Errors the current document of a Playwright page printed or threw."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        # A new document starts a new record: errors belong to the page that printed them.
        page.on("framenavigated", lambda frame: frame.parent_frame or self.errors.clear())

    def _on_console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            self.errors.append(f"{message.text} ({location.get('url', '')})")


def console_log(page) -> ConsoleLog:
    log = getattr(page, "_e2e_console", None)
    if log is None:
        log = ConsoleLog()
        log.attach(page)
        page._e2e_console = log
    return log


def assert_no_console_errors(page) -> None:
    """No console error, uncaught exception or CSP violation since the page's last navigation."""
    errors = list(console_log(page).errors)
    errors += [f"CSP: {v}" for v in page.evaluate("window.__cspViolations || []")]
    assert not errors, "Console errors on " + page.url + ":\n  " + "\n  ".join(errors)


# --- accessibility -------------------------------------------------------------------


def axe_violations(page, context=None) -> list[dict]:
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, context=context, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]"
        )
        for node in violation["nodes"][:8]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, context=None) -> None:
    """axe-core (bundled by axe-playwright-python, no network), WCAG 2.1 A and AA: zero violations."""
    violations = axe_violations(page, context)
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


def assert_fits_320(page) -> None:
    """At 320 px wide (WCAG 1.4.10 reflow), the page never scrolls horizontally."""
    original = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        width = page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
        if width > NARROW["width"]:
            offenders = page.evaluate(
                """(limit) => {
                  const wide = Array.from(document.querySelectorAll("body *"))
                    .filter((el) => el.getBoundingClientRect().right > limit + 0.5);
                  const set = new Set(wide);
                  // The outermost ones: an element inside a wide one adds nothing.
                  return wide.filter((el) => !set.has(el.parentElement)).slice(0, 10)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                     (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
                     " right=" + Math.round(el.getBoundingClientRect().right));
                }""",
                NARROW["width"],
            )
            raise AssertionError(
                f"{page.url} is {width} px wide at 320 px; wider elements:\n  "
                + "\n  ".join(offenders)
            )
    finally:
        if original:
            page.set_viewport_size(original)


def open_header_menu(page) -> None:
    """On a phone the header's links are behind « Menu » (js/menu.js): open it."""
    button = page.locator("[data-menu-button]")
    button.click()
    assert button.get_attribute("aria-expanded") == "true"


def assert_page_is_sound(page) -> None:
    """The checks every page of every journey passes: axe, 320 px, a clean console."""
    assert_accessible(page)
    assert_fits_320(page)
    assert_no_console_errors(page)


# --- signing in ------------------------------------------------------------------------


def totp_code(secret: str | None = None, *, account: str = "") -> str:
    """The current TOTP code, computed as allauth does; never one ``account`` used already."""
    secret = secret or settings.DEMO_TOTP_SECRET
    while True:
        now = time.time()
        counter = int(now // TOTP_PERIOD)
        remaining = TOTP_PERIOD - now % TOTP_PERIOD
        # Too close to the end of the period, or already used: wait for the next one.
        if remaining < 2 or _last_totp_counter.get((account, secret)) == counter:
            time.sleep(remaining + 0.1)
            continue
        _last_totp_counter[(account, secret)] = counter
        return format_hotp_value(hotp_value(secret, counter))


def submit(form) -> None:
    form.locator("button[type=submit], input[type=submit]").first.click()


def login(page, email: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in through the real form; staff answer the TOTP step (demo secret by default)."""
    page.goto(LOGIN_URL)
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation() as sent:
        submit(form)
    code_field = page.locator("form input[name=code]")
    if code_field.count():
        code_field.fill(totp_code(totp_secret, account=email))
        with page.expect_navigation() as sent:
            submit(page.locator("form:has(input[name=code])"))
    # What the last answer was (a refusal, a limit, the form again) says why, if it failed.
    answer = sent.value
    assert not re.search(r"/comptes/(login|2fa)/", page.url), (
        f"Still on {page.url} after signing in as {email} (answer "
        f"{answer.status if answer else 'none'} to {answer.request.method if answer else '?'}, "
        f"page « {page.title()} »): "
        + " | ".join(
            page.locator(".errorlist, .error, .form-errors, [role=alert]").all_inner_texts()
        )
    )
    assert page.locator("form[action*='logout']").count(), f"{email} is not signed in"


def sign_up(page, email: str, password: str) -> None:
    """Fill the sign-up form; other required fields get a plausible value."""
    page.goto("/comptes/signup/")
    form = page.locator("form:has(input[name=password1])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(password)
    if form.locator("input[name=password2]").count():
        form.locator("input[name=password2]").fill(password)
    for field_ in form.locator("input[required], select[required], textarea[required]").all():
        kind = (field_.get_attribute("type") or "").lower()
        tag = field_.evaluate("el => el.tagName.toLowerCase()")
        if tag == "select":
            values = [
                v for v in field_.locator("option").evaluate_all("os => os.map(o => o.value)") if v
            ]
            if values and not field_.input_value():
                field_.select_option(values[0])
        elif kind in {"checkbox", "radio"}:
            field_.check()
        elif not field_.input_value():
            field_.fill("Camille")
    with page.expect_navigation():
        submit(form)


# --- page weight ----------------------------------------------------------------------------


@dataclass
class Resource:
    url: str
    kind: str
    status: int
    encoding: str
    transferred: int = 0


@dataclass
class PageWeight:
    url: str
    resources: list[Resource]

    @property
    def counted(self) -> list[Resource]:
        """What the budget counts: everything but users' photos and map tiles."""
        return [
            r
            for r in self.resources
            if "/media/" not in r.url
            and r.url.startswith(("http://", "https://"))
            and not (r.kind == "Image" and "tile" in r.url)
        ]

    @property
    def total(self) -> int:
        return sum(r.transferred for r in self.counted)

    def report(self) -> str:
        rows = [f"{self.url}: {self.total} bytes transferred"]
        for r in sorted(self.counted, key=lambda r: -r.transferred):
            rows.append(
                f"  {r.transferred:>8}  {r.kind:<10} {r.encoding or '-':<6} {r.status} {r.url}"
            )
        return "\n".join(rows)


def page_weight(page, url: str) -> PageWeight:
    """Bytes on the wire (headers included) for a first load of ``url``, cache disabled."""
    cdp = page.context.new_cdp_session(page)
    resources: dict[str, Resource] = {}

    def on_response(event):
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        resources[event["requestId"]] = Resource(
            url=response["url"],
            kind=event.get("type", ""),
            status=response["status"],
            encoding=headers.get("content-encoding", ""),
        )

    def on_finished(event):
        resource = resources.get(event["requestId"])
        if resource is not None:
            resource.transferred = int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        page.goto(url, wait_until="networkidle")
    finally:
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.detach()
    return PageWeight(url=page.url, resources=list(resources.values()))


# --- files a resident sends ----------------------------------------------------------------


def make_photo(path, *, size=(1200, 900), gps: bool = True):
    """A JPEG as a phone makes it, with EXIF GPS coordinates (Auchel) unless ``gps=False``.

    For the journeys that post a photo and then check that what is served has no metadata:
    ``page.set_input_files("input[type=file]", make_photo(tmp_path / "photo.jpg"))``.
    """
    from PIL import Image

    image = Image.new("RGB", size, (180, 90, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (50.0, 30.0, 12.0), 3: "E", 4: (2.0, 28.0, 5.0)}
    image.save(path, "JPEG", exif=exif, quality=85)
    return path


def exif_of(content: bytes) -> dict:
    """The EXIF tags of an image's bytes (empty when it carries none), GPS included."""
    import io

    from PIL import Image

    exif = Image.open(io.BytesIO(content)).getexif()
    tags = dict(exif)
    gps = exif.get_ifd(0x8825)
    if gps:
        tags["GPS"] = dict(gps)
    return tags


# --- the site's own pages ----------------------------------------------------------------

# Links never followed: they act (sign out, delete, cancel) or are not pages.
SKIP = re.compile(
    r"logout|deconnexion|supprimer|delete|desinscription|annuler|\.ics$|\.csv$|\.json$|^/api/(?!docs)|^/sante/|^/static/|^/media/|^/gestion/admin/"
)
# The demo account of each role (the password is settings.DEMO_PASSWORD).
ROLES = {
    "habitant": "habitant@demo.auchel.fr",
    "mediateur": "mediateur@demo.auchel.fr",
    "comite": "comite@demo.auchel.fr",
    "referent": "referent@demo.auchel.fr",
}


def same_site_paths(page) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    paths = []
    origin = urlsplit(page.url).netloc
    for href in hrefs:
        link = urlsplit(href)
        if link.netloc != origin or link.query or SKIP.search(link.path):
            continue
        paths.append(link.path)
    return list(dict.fromkeys(paths))


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)
