"""One French error format for every error of the API.

Every response with a 4xx or 5xx status has this body::

    {"erreur": {"code": "donnees_invalides",
                "message": "Certaines informations sont à corriger.",
                "champs": {"text": ["Écrivez votre message : …"]}}}

``code`` is stable and meant for programs (the list is ``CODES``); ``message`` is a French
sentence to show to a person; ``champs`` (only for invalid data) names each field with its
messages, nested fields joined by dots (``entrees.2.quartier``).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.signals import got_request_exception
from django.http import Http404, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

# code → what it means, for the documentation (docs/api.md and the schema's description).
CODES = {
    "donnees_invalides": gettext_lazy(
        "Des informations envoyées sont à corriger (voir « champs »)."
    ),
    "requete_illisible": gettext_lazy(
        "Le corps de la requête n'est pas lisible (JSON mal formé…)."
    ),
    "non_authentifie": gettext_lazy("Il faut être connecté·e ; la session a peut-être expiré."),
    "csrf": gettext_lazy("Le jeton CSRF manque ou ne correspond plus : rechargez la page."),
    "interdit": gettext_lazy("Votre rôle ne permet pas cette action."),
    "introuvable": gettext_lazy("Cette adresse ou cet objet n'existe pas (ou plus)."),
    "page_introuvable": gettext_lazy("Cette page de la liste n'existe pas."),
    "methode_non_autorisee": gettext_lazy("Cette méthode HTTP n'est pas possible ici."),
    "format_non_accepte": gettext_lazy("Le format demandé (en-tête Accept) n'est pas proposé."),
    "format_non_pris_en_charge": gettext_lazy(
        "Le format du corps (Content-Type) n'est pas pris en charge."
    ),
    "trop_volumineux": gettext_lazy("La requête est trop volumineuse."),
    "trop_de_requetes": gettext_lazy("Trop de requêtes en peu de temps : réessayez plus tard."),
    "erreur_serveur": gettext_lazy("Une erreur inattendue de notre côté ; elle est enregistrée."),
}


class ApiError(exceptions.APIException):
    """An error with its own stable code, status and French message."""

    def __init__(self, message: str, *, code: str, status_code: int, wait: int | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        if wait is not None:
            self.wait = wait


class PageNotFound(exceptions.NotFound):
    default_code = "page_introuvable"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"a.0.b": ["message", ...]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                fields.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in _flatten(item, name).items():
                    fields.setdefault(field, []).extend(messages)
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body: dict = {"code": code, "message": str(message)}
    if fields:
        body["champs"] = fields
    return {"erreur": body}


def error_response(code: str, message: str, *, status: int, fields: dict | None = None):
    """The same error as a plain Django response, for what answers before any API view
    (middleware)."""
    return JsonResponse(
        error_body(code, message, fields), status=status, json_dumps_params={"ensure_ascii": False}
    )


def too_large_message() -> str:
    """Why a request is refused with 413 (``trop_volumineux``), with the limit."""
    return _(
        "La requête dépasse %(limit)s, la limite de la plateforme : envoyez moins de données "
        "à la fois (une photo par envoi)."
    ) % {"limit": filesizeformat(settings.MAX_REQUEST_BODY_BYTES)}


def _describe(exc: exceptions.APIException) -> tuple[str, str, dict | None]:
    """(code, message, champs) for a DRF exception."""
    if isinstance(exc, ApiError):
        return exc.error_code, str(exc.detail), None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("non_field_errors", None)
        message = " ".join(general) if general else _("Certaines informations sont à corriger.")
        return "donnees_invalides", message, fields or None
    if isinstance(exc, exceptions.ParseError):
        return (
            "requete_illisible",
            _("Le corps de la requête n'est pas lisible : envoyez un JSON valide."),
            None,
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return (
            "non_authentifie",
            _("Connectez-vous pour continuer : votre session a peut-être expiré."),
            None,
        )
    if isinstance(exc, exceptions.PermissionDenied):
        if str(exc.detail).startswith("CSRF Failed"):
            return (
                "csrf",
                _(
                    "Le jeton de sécurité (CSRF) manque ou a changé : rechargez la page, puis "
                    "recommencez."
                ),
                None,
            )
        return "interdit", str(exc.detail), None
    if isinstance(exc, PageNotFound):
        return "page_introuvable", str(exc.detail), None
    if isinstance(exc, exceptions.NotFound):
        return "introuvable", _("Cet objet n'existe pas, ou plus."), None
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "methode_non_autorisee", _("Cette adresse n'accepte pas cette méthode."), None
    if isinstance(exc, exceptions.NotAcceptable):
        return "format_non_accepte", _("Cette adresse ne répond qu'en JSON."), None
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return (
            "format_non_pris_en_charge",
            _("Envoyez les données en JSON (application/json) ou en formulaire multipart."),
            None,
        )
    if isinstance(exc, exceptions.Throttled):
        return "trop_de_requetes", str(exc.detail), None
    return str(getattr(exc, "default_code", "erreur")), str(exc.detail), None


def _render_as_json(request) -> None:
    """Errors are JSON even where the view renders CSV or HTML, or ``?format=`` was unknown."""
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error in the French format, in JSON."""
    request = context.get("request")
    _render_as_json(request)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        exc = ApiError(
            too_large_message()
            if isinstance(exc, RequestDataTooBig)
            else _("La requête est trop volumineuse : envoyez moins de données à la fois."),
            code="trop_volumineux",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        code, message, fields = _describe(exc)
        set_rollback()
        return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)
    # An unexpected exception: log it, tell whoever listens (the test client re-raises it),
    # and still answer in the documented format.
    logger.error("Erreur serveur sur l'API", exc_info=exc)
    got_request_exception.send(sender=None, request=request)
    set_rollback()
    return Response(
        error_body("erreur_serveur", CODES["erreur_serveur"]),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
