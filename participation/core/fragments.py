"""Rows drawn once per content, then read from the cache.

List pages draw the same rows again and again: the mediators' queue, a resident's own
expressions. Drawing a row with Django's templates costs 100 to 250 µs; reading it back
costs a few. ``render_rows`` keys each row by everything it is drawn from:

* the loaded state of its object: its fields and annotations, the related objects fetched
  with it (``select_related``) and its prefetched lists, recursively;
* the extra values given to the template;
* the language, the time zone, the template's source (and its inclusions'), and the
  release (a digest of the project's code and templates, computed once per process: a
  deploy draws every row again).

A row can therefore never show an old state: any change of what it shows makes another
key. Every row of a page is read in one cache round trip; only the rows never drawn, or
changed since, are drawn, then written in one more. While the cache is down every row is
drawn, as without it.

A row template is drawn without the request: it must not use ``request``, ``user`` or
``csrf_token``, and may include other templates only by their literal name (their sources
are part of the key). A CSRF token or an inclusion named by a variable is refused when the
template is first used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import weakref
from decimal import Decimal
from functools import cache as once
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.template.backends.utils import csrf_input
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

_INTERNAL = ("_state", "_prefetched_objects_cache")
_PLAIN = (str, int, float, type(None), dt.date, dt.time, dt.timedelta, Decimal, UUID)
# The same types exactly (``bool`` and ``datetime`` are subclasses of two of them): a field's
# value of one of these is kept as is without a call (a page of 20 answers holds some 1,400).
_PLAIN_TYPES = frozenset((*_PLAIN, bool, dt.datetime))
_RELEASE_SUFFIXES = {".py", ".html", ".txt", ".mo"}
_NOT_RELEASED = {"var", "media", "static", "node_modules", "__pycache__", "tests", "docs", "bench"}


def state(value, _within: frozenset = frozenset()) -> object:
    """What a model instance was loaded with, as plain comparable values. An object met again
    inside itself (a one-to-one's reverse side, cached by ``select_related``) is named, not
    followed."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Model):
        if id(value) in _within:
            return (type(value).__name__, "…", value.pk)
        within = _within | {id(value)}
        plain = _PLAIN_TYPES
        fields = tuple(
            (name, item if type(item) in plain else state(item, within))
            for name, item in value.__dict__.items()
            if name not in _INTERNAL
        )
        related = tuple(
            (name, state(item, within)) for name, item in sorted(value._state.fields_cache.items())
        )
        prefetched = tuple(
            (name, tuple(state(item, within) for item in items))
            for name, items in sorted(getattr(value, "_prefetched_objects_cache", {}).items())
        )
        return (type(value).__name__, fields, related, prefetched)
    if isinstance(value, dict):
        return tuple((key, state(item, _within)) for key, item in sorted(value.items()))
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, (list, tuple, set, frozenset)):
        items = tuple(state(item, _within) for item in value)
        return tuple(sorted(items, key=repr)) if isinstance(value, (set, frozenset)) else items
    return value


@once
def release() -> str:
    """A digest of the deployed code, templates and catalogs (paths, sizes and contents)."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and name not in _NOT_RELEASED
        )
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix in _RELEASE_SUFFIXES:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


# Per compiled template (the cached loader keeps one; the development server's reloader
# makes a new one when the file changes): the digest of its source and of the templates it
# includes, and whether it was found fit to draw rows.
_sources: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_fit_for_rows: weakref.WeakSet = weakref.WeakSet()


def _source_digest(compiled) -> str:
    digest = _sources.get(compiled)
    if digest is None:
        parts = [compiled.source]
        for node in compiled.nodelist.get_nodes_by_type(IncludeNode):
            included = node.template.var
            if isinstance(included, str):  # a literal name; a variable one is not followed
                parts.append(_source_digest(get_template(included).template))
        digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()
        _sources[compiled] = digest
    return digest


def _row_template(template_name: str):
    template = get_template(template_name)
    if template.template not in _fit_for_rows:
        nodelist = template.template.nodelist
        named_by_variable = any(
            not isinstance(node.template.var, str)
            for node in nodelist.get_nodes_by_type(IncludeNode)
        )
        if named_by_variable or nodelist.get_nodes_by_type(CsrfTokenNode):
            raise ImproperlyConfigured(
                f"{template_name} : un modèle de rangée ne peut ni inclure un modèle nommé par "
                "une variable ni porter de jeton CSRF (il est dessiné sans la requête)."
            )
        _fit_for_rows.add(template.template)
    return template


def _drawing(template) -> str:
    """What every drawing of ``template`` in this request shares: the template's name and
    source (and its inclusions'), the language and the time zone."""
    context = (
        template.origin.template_name,
        _source_digest(template.template),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )
    return repr(context)


def fragment_key(template, material, *, drawing: str | None = None) -> str:
    """The cache key of a drawing of ``template`` from ``material`` (and nothing else): plain
    values, which their pickle tells apart (use ``state`` for model instances).

    Pickled rather than written out with ``repr``: twice as fast on a page of 20 answers
    (0.6 ms against 1.4). Two equal materials may pickle apart (an object met twice is
    written once), which costs a drawing, never a wrong row; a material that cannot be
    pickled is written out with ``repr``."""
    drawing = drawing or _drawing(template)
    try:
        written = pickle.dumps(material, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        written = repr(material).encode()
    digest = hashlib.blake2b(drawing.encode(), digest_size=16)
    digest.update(written)
    return f"fragment:{release()}:{digest.hexdigest()}"


def render_fragment(
    template_name: str, context, *, material, request=None, seconds: int | None = None
) -> SafeString:
    """``template_name`` drawn with ``context`` (a dict, or a function that returns it, called
    only when the fragment must be drawn), kept under a key made of ``material``: the caller
    names, as plain values, everything the drawing depends on; ``None`` draws without the
    cache. Kept ``FRAGMENT_CACHE_SECONDS``, or ``seconds``."""
    template = get_template(template_name)
    cache_key = None if material is None else fragment_key(template, material)
    html = None if cache_key is None else cache.get(cache_key)
    if html is None:
        drawn_from = context() if callable(context) else context
        html = template.render(drawn_from, request)
        if cache_key is not None:
            timeout = settings.FRAGMENT_CACHE_SECONDS if seconds is None else seconds
            cache.set(cache_key, html, timeout)
    return mark_safe(html)  # noqa: S308 - our own template, escaped when drawn


# A fragment shared by several people holds this comment where its form's CSRF token goes;
# ``with_csrf`` puts the reader's own token there. Text from users is escaped when drawn, so
# it cannot hold the comment.
CSRF_SLOT = mark_safe("<!--jeton-csrf-->")


def with_csrf(html: str, request) -> SafeString:
    return mark_safe(html.replace(CSRF_SLOT, csrf_input(request)))  # noqa: S308 - Django's input


def forget_all() -> int:
    """Drop every drawn fragment and row, now: words that must be forgotten (an erasure)
    must not wait an hour in the cache. Every row is drawn again on its next reading."""
    return cache.delete_pattern("fragment:*")


def render_rows(template_name: str, objects, *, name: str, **extra) -> list[SafeString]:
    """The HTML of ``template_name`` for each object (as the variable ``name``), in order."""
    template = _row_template(template_name)
    objects = list(objects)
    drawing, extra_state = _drawing(template), state(extra)
    keys = [fragment_key(template, (state(obj), extra_state), drawing=drawing) for obj in objects]
    found = cache.get_many(keys) if keys else {}
    drawn = {}
    rows = []
    for row_key, obj in zip(keys, objects, strict=True):
        html = found.get(row_key)
        if html is None:
            html = drawn[row_key] = template.render({name: obj, **extra})
        rows.append(mark_safe(html))  # noqa: S308 - our own template, escaped when drawn
    if drawn:
        cache.set_many(drawn, settings.FRAGMENT_CACHE_SECONDS)
    return rows
