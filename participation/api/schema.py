"""What the OpenAPI schema says about every operation: how to sign in, the French error format.

``SessionScheme`` says what a request of a signed-in person carries: the session cookie, and
for a write the CSRF token twice (its cookie and the ``X-CSRFToken`` header), all three
required together. ``document_errors`` is a drf-spectacular post-processing hook
(SPECTACULAR_SETTINGS): it adds the ``Erreur`` component, the error responses each
operation can give, and the description of the API (authentication, pagination, errors), so
that the schema at /api/schema/ is the reference and tools such as Schemathesis can check
every answer against it. This module is imported by ``participation.api_urls``, which
registers the extension before any schema is made.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .errors import CODES

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SessionScheme(OpenApiAuthenticationExtension):
    """The site's session; a write also needs the CSRF cookie and the same token in a header."""

    target_class = "rest_framework.authentication.SessionAuthentication"
    name = ["cookieAuth", "csrfCookie", "csrfHeader"]
    priority = 1  # instead of drf-spectacular's own, which leaves CSRF out

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME},
            {"type": "apiKey", "in": "cookie", "name": settings.CSRF_COOKIE_NAME},
            {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        ]

    def get_security_requirement(self, auto_schema):
        if auto_schema.method.upper() in SAFE_METHODS:
            return {"cookieAuth": []}
        return {name: [] for name in self.name}


ERROR_COMPONENT = "Erreur"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Toute erreur (statut 4xx ou 5xx) a ce corps.",
    "properties": {
        "erreur": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Code stable, pour les programmes.",
                    "example": "donnees_invalides",
                },
                "message": {
                    "type": "string",
                    "description": "Phrase en français, à montrer à la personne.",
                },
                "champs": {
                    "type": "object",
                    "description": "Pour des données à corriger : les messages de chaque champ "
                    "(champs imbriqués joints par des points, ex. « entrees.2.quartier »).",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["erreur"],
}

ERROR_DESCRIPTIONS = {
    "400": "Données ou paramètres à corriger (codes donnees_invalides, requete_illisible).",
    "403": "Non connecté·e (non_authentifie), jeton CSRF absent (csrf) ou rôle insuffisant "
    "(interdit).",
    "404": "Objet ou page de liste introuvable (introuvable, page_introuvable).",
    "413": "Requête trop volumineuse (trop_volumineux).",
    "415": "Format du corps non pris en charge (format_non_pris_en_charge).",
    "429": "Trop de requêtes en peu de temps (trop_de_requetes) ; voir l'en-tête Retry-After.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
# Refused by the HTTP server (gunicorn's limit_request_line, nginx's header buffers) before
# Django sees the request: its page, not the API's format.
URI_TOO_LONG = {
    "description": "Adresse trop longue (plus de 4 000 caractères environ) : refusée par le "
    "serveur HTTP, avant l'API, avec sa propre page.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}

DESCRIPTION_HEAD = """\
Référentiel du contrat de ville « Engagements Quartiers 2030 » d'Auchel (quartiers, enjeux,
objectifs), événements, expressions citoyennes publiées (anonymisées comme sur le site), dépôt
d'une expression et synchronisation du mode terrain des médiateur·rices.

## Authentification

La lecture des données publiques ne demande aucun compte. Les écritures utilisent la session
du site (cookie `sessionid`) et le jeton CSRF du cookie `csrftoken`, renvoyé dans l'en-tête
`X-CSRFToken`. Chaque adresse vérifie le rôle et l'objet comme les pages du site : publier
demande une adresse électronique vérifiée ; la synchronisation du mode terrain est réservée
aux médiateur·rices (et au référent), avec leur double authentification.

## Listes

Toute liste est paginée : `{"count", "next", "previous", "results"}`, paramètres `page`
(à partir de 1) et `taille` (100 au plus).

## Envoyer deux fois sans doublon

`POST /api/expressions/` accepte l'en-tête `Idempotency-Key` ; chaque entrée de
`POST /api/terrain/synchronisation/` porte un `uuid` fait sur l'appareil. Renvoyer la même
clé ne crée jamais une seconde expression.

## Erreurs

Toute erreur a le même corps JSON, en français :

```json
{"erreur": {"code": "donnees_invalides",
            "message": "Certaines informations sont à corriger.",
            "champs": {"text": ["Écrivez votre message : c'est la seule chose obligatoire."]}}}
```

| code | sens |
|---|---|
"""


def description() -> str:
    rows = "".join(f"| `{code}` | {meaning} |\n" for code, meaning in CODES.items())
    return DESCRIPTION_HEAD + rows


def _error_response(code: str) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }


def error_codes_for(method: str) -> list[str]:
    if method in WRITE_METHODS:
        return ["400", "403", "404", "413", "415", "429"]
    # Any query may be refused (a NUL character in a parameter, an impossible filter).
    return ["400", "404"]


def document_errors(result, generator, request, public):
    """Post-processing hook: the Erreur component and the error responses of each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    result.setdefault("info", {})["description"] = description()
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in error_codes_for(method):
                responses.setdefault(code, _error_response(code))
            responses.setdefault("414", URI_TOO_LONG)
            # Error responses documented by a view without a body: they have this one.
            for code, response in responses.items():
                if code.startswith(("4", "5")) and "content" not in response:
                    response["content"] = _error_response("400")["content"]
    return result
