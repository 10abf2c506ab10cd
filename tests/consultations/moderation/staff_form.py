"""The staff page's one form as a browser posts it: every field as the page shows it (hidden
ones included), with the fields a test changes, and the button pressed."""

from html.parser import HTMLParser

from django.urls import reverse


class _FormFields(HTMLParser):
    """The successful controls of ``form.moderation-form``: (name, value) in page order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form" and "moderation-form" in attrs.get("class", "").split():
            self._inside = True
        if not self._inside or "name" not in attrs:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.fields.append((attrs["name"], attrs.get("value", default)))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # A browser drops the line break that follows <textarea>; so do we.
            self.fields.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "form":
            self._inside = False


def shown_fields(html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields


def post_staff_form(client, expression, decision: str = "enregistrer", **changes):
    """Open the staff page, change ``changes`` (field name with ``__`` for ``-``: a value or
    a list), press the button of ``decision``."""
    url = reverse("consultations:moderation_expression", args=[expression.pk])
    data = shown_fields(client.get(url).content.decode())
    assert data, "the staff page has no moderation form"
    for name, value in changes.items():
        data[name.replace("__", "-")] = value if isinstance(value, list) else [value]
    data["decision"] = [decision]
    return client.post(url, data)
