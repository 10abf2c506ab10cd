"""The query parameters of the API, declared once: the schema shows them, every request is held to them.

A view names its parameters with a ``QueryParameters`` serializer (``query_parameters`` on a
list view, ``checked(...)`` in any other view). Two kinds of wrong are told apart:

* **the form** — not a number, below or above its bounds, not one of its values, not a slug,
  a NUL character, a parameter given twice: the request contradicts the schema and is refused
  with 400 ``donnees_invalides``, a French message per parameter;
* **the meaning** — a well-formed quartier, objective or event that does not exist, a date
  range that ends before it starts: the list is empty (the events list also says why in
  ``messages``), as on the site's pages.

The FilterSets shared with the pages do the filtering; ``ApiFilterBackend`` runs them after
the check, and documents the parameters from the serializer (``ApiFilterBackendExtension``),
so what the schema promises and what the view accepts cannot drift apart.
"""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

# (pattern, longest, message when it does not match); an empty value, allowed too, means
# « no filter ».
SLUG = (
    r"^[-a-zA-Z0-9_]+$",
    100,
    _("Un slug ne contient que des lettres, chiffres et tirets."),
)
TEXT = (  # no NUL: PostgreSQL can neither store nor compare it
    r"^[^\x00]+$",
    200,
    _("Ce paramètre contient un caractère nul (\\0) : retirez-le."),
)


def text_parameter(help_text: str, form=TEXT) -> serializers.RegexField:
    pattern, longest, message = form
    return serializers.RegexField(
        pattern,
        required=False,
        allow_blank=True,
        max_length=longest,
        help_text=help_text,
        error_messages={"invalid": message},
    )


def slug_parameter(help_text: str) -> serializers.RegexField:
    return text_parameter(help_text, SLUG)


def number_parameter(help_text: str) -> serializers.IntegerField:
    """A number or identifier (what the database's integer columns hold)."""
    return serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text=help_text
    )


class QueryParameters(serializers.Serializer):
    """Query parameters: each given at most once, each of the form the schema says.

    The query string is read as a plain mapping, so an empty value is a value: ``?enjeu=`` is
    not a number and is refused, while ``?quartier=`` (a text that may be empty) means « all ».
    Parameters that are not declared are ignored.
    """

    def to_internal_value(self, data):
        repeated = {
            name: [_("Donnez ce paramètre une seule fois.")]
            for name in self.fields
            if hasattr(data, "getlist") and len(data.getlist(name)) > 1
        }
        if repeated:
            raise serializers.ValidationError(repeated)
        return super().to_internal_value({name: data[name] for name in self.fields if name in data})


def checked(parameters: type[QueryParameters], request) -> dict:
    """The request's query parameters, checked against ``parameters``; 400 if malformed."""
    serializer = parameters(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def as_openapi(auto_schema, parameters: type[QueryParameters]) -> list[dict]:
    """``parameters`` as OpenAPI query parameters (types, bounds, values, patterns), the way
    drf-spectacular explodes a serializer given in ``extend_schema(parameters=[...])``."""
    serializer = parameters()
    mapped = auto_schema._map_serializer(serializer, "request")
    return [
        build_parameter_type(
            name=name,
            schema=schema,
            description=schema.pop("description", None),
            location=OpenApiParameter.QUERY,
            allow_blank=getattr(serializer.fields[name], "allow_blank", True),
            required=False,
        )
        for name, schema in mapped["properties"].items()
    ]


class ApiFilterBackend(DjangoFilterBackend):
    """The view's ``query_parameters`` checked first (400), then its FilterSet (empty list)."""

    def filter_queryset(self, request, queryset, view):
        parameters = getattr(view, "query_parameters", None)
        if parameters is not None:
            checked(parameters, request)
        request.filter_messages = []
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            # The events' FilterSet says why, for the page and for the API's « messages ».
            reasons = getattr(filterset, "filter_messages", None)
            request.filter_messages = reasons() if reasons else []
            return queryset.none()
        return filterset.qs


class ApiFilterBackendExtension(OpenApiFilterExtension):
    """The schema's query parameters of a list: its ``query_parameters``, nothing else."""

    target_class = ApiFilterBackend
    priority = 1  # before drf-spectacular's own reading of the FilterSet

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = getattr(auto_schema.view, "query_parameters", None)
        return as_openapi(auto_schema, parameters) if parameters is not None else []
