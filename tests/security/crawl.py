"""Find the pages and forms of the site from its URLConf, so that new features are covered unasked.

``parameterless_paths()`` lists every route that needs no argument; ``crawl(client, ...)``
GETs them, follows same-site links one level down (so that object pages such as a quartier
or an event are reached when the database holds some) and returns what answered, with
the forms each page carries (``unique_forms`` keeps one per URL shape, method and fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# Paths a crawler must not GET or POST: they end the session or destroy what they name.
DESTRUCTIVE = re.compile(r"logout|deconnexion|supprimer|suppression|delete|desactiver", re.I)
# Routes that are not pages of the site.
NOT_PAGES = re.compile(r"^/(static|media)/|^/gestion/admin/jsi18n/")
_REGEX_META = set("()[]?*+|{}\\^$")


def _literal(pattern) -> str | None:
    """The literal text of a route without arguments, or None."""
    if isinstance(pattern, RoutePattern):
        return None if pattern.converters else str(pattern)
    if isinstance(pattern, RegexPattern):
        text = pattern._regex.removeprefix("^").removesuffix("$").replace("\\.", ".")
        text = text.replace("\\Z", "")
        return None if _REGEX_META & set(text) else text
    return None


def parameterless_paths() -> list[str]:
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            literal = _literal(entry.pattern)
            if literal is None:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + literal)
            elif isinstance(entry, URLPattern):
                found.append("/" + prefix + literal)

    walk(get_resolver().url_patterns, "")
    return [
        path
        for path in dict.fromkeys(found)
        if not DESTRUCTIVE.search(path) and not NOT_PAGES.search(path)
    ]


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, file, hidden, email, number, date, ...
    options: list[str] = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    page: str
    method: str
    action: str
    enctype: str
    fields: dict[str, Field] = field(default_factory=dict)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = Form(
                page="",
                method=attributes.get("method", "get").lower(),
                action=attributes.get("action", ""),
                enctype=attributes.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select", "button"}:
            name = attributes.get("name")
            if not name or tag == "button":
                return
            kind = tag if tag != "input" else attributes.get("type", "text").lower()
            if kind in {"submit", "reset", "image"}:
                return
            existing = self._form.fields.get(name)
            if existing is not None and kind in {"radio", "checkbox"}:
                existing.options.append(attributes.get("value", "on"))
                return
            entry = Field(name=name, kind=kind, value=attributes.get("value", ""))
            if kind in {"radio", "checkbox"}:
                entry.options.append(attributes.get("value", "on"))
            self._form.fields[name] = entry
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select.options.append(attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


@dataclass
class Page:
    path: str
    status: int
    content_type: str
    forms: list[Form]


def crawl(client, *, extra_paths=(), limit: int = 120) -> list[Page]:
    """GET every parameterless path, then the same-site links they show, once each."""
    queue = [*parameterless_paths(), *extra_paths]
    seen: set[str] = set()
    pages: list[Page] = []
    depth_one = set(queue)
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        content_type = response.get("Content-Type", "")
        forms: list[Form] = []
        if response.status_code == 200 and "html" in content_type:
            parsed = parse(response.content.decode(response.charset or "utf-8", "replace"))
            for form in parsed.forms:
                target = urlsplit(urljoin(path, form.action or path)).path
                if DESTRUCTIVE.search(target) or NOT_PAGES.search(target):
                    continue  # the site-wide logout form, for one
                form.page = path
                form.action = target
                forms.append(form)
            if path in depth_one:
                for href in parsed.links:
                    link = urlsplit(urljoin(path, href))
                    if link.netloc or link.scheme not in {"", "http", "https"}:
                        continue
                    if DESTRUCTIVE.search(link.path) or NOT_PAGES.search(link.path):
                        continue
                    if link.path not in seen:
                        queue.append(link.path)
        pages.append(Page(path, response.status_code, content_type, forms))
    return pages


def unique_forms(pages: list[Page], method: str) -> list[Form]:
    forms: dict[tuple, Form] = {}
    for page in pages:
        for form in page.forms:
            if form.method == method:
                # One form per URL shape: the registration form of one event stands for all.
                shape = re.sub(r"\d+", "N", form.action)
                forms.setdefault((shape, tuple(sorted(form.fields))), form)
    return list(forms.values())
