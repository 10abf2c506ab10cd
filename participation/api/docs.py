"""A readable page of the API, made from the same OpenAPI schema as /api/schema/.

Server-rendered in the site's layout, so that it respects the strict CSP (no script, no
inline style) and works without JavaScript, unlike a page that loads a schema viewer.
"""

from functools import lru_cache

from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from .errors import CODES

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
LOCATIONS = {"query": "requête", "path": "adresse", "header": "en-tête", "cookie": "cookie"}


@lru_cache(maxsize=1)
def schema() -> dict:
    """The generated schema; it only changes with the code, so once per process."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _type(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if spec.get("enum"):
        return " | ".join(str(value) for value in spec["enum"] if value not in ("", None))
    if spec.get("type") == "array":
        return f"liste de {_type(spec.get('items', {}))}"
    return spec.get("format") or spec.get("type") or ""


def _operation(path: str, method: str, spec: dict) -> dict:
    body = spec.get("requestBody", {}).get("content", {})
    return {
        "anchor": spec.get("operationId", f"{method}-{path}"),
        "method": method.upper(),
        "path": path,
        "summary": spec.get("summary", ""),
        "description": spec.get("description", ""),
        "public": {} in spec.get("security", [{}]),
        "parameters": [
            {
                "name": parameter["name"],
                "where": LOCATIONS.get(parameter.get("in"), parameter.get("in")),
                "type": _type(parameter.get("schema", {})),
                "required": parameter.get("required", False),
                "description": parameter.get("description", ""),
            }
            for parameter in spec.get("parameters", [])
        ],
        "body": [
            {"media_type": media_type, "type": _type(content.get("schema", {}))}
            for media_type, content in body.items()
        ],
        "responses": [
            {"code": code, "description": response.get("description", "")}
            for code, response in sorted(spec.get("responses", {}).items())
        ],
    }


def operations_by_tag() -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for path, item in schema().get("paths", {}).items():
        for method, spec in sorted(item.items(), key=lambda pair: METHOD_ORDER.get(pair[0], 9)):
            if method not in METHOD_ORDER:
                continue
            tag = (spec.get("tags") or ["api"])[0]
            groups.setdefault(tag, []).append(_operation(path, method, spec))
    return sorted(groups.items())


@require_GET
def reference(request):
    return render(
        request,
        "api/reference.html",
        {
            "groups": operations_by_tag(),
            "codes": [(code, meaning) for code, meaning in CODES.items()],
            "version": schema().get("info", {}).get("version", ""),
        },
    )
