"""The field mode's sync: a batch of entries typed on a mediator's tablet, stored once each.

Each entry carries a UUID made on the device. ``synchronise`` reads every entry first: one
that breaks its schema (a field missing or of the wrong type: a program's bug) refuses the
whole batch. Then it stores the entries one by one, each in its own savepoint: an entry the
rules refuse gets its reason (and its fields' messages) while the good ones are stored; an
entry already received (same mediator, same UUID) is answered « envoyée » again without being
stored twice, so a batch sent twice, or resent after a cut connection, never makes duplicates. Storing goes through
``services.record_in_field``, which checks the role, the content rules, the rate limit and
writes the audit entry. A photo sent in base64 is checked from its header when the entry is
read (``images.check_photo``) and decoded only by ``record_in_field``, once the entry is
accepted, within the rate limit and not already received; it is re-encoded without any
metadata (no GPS, no EXIF). The kind of meeting and the quartier left empty are the event's,
and ``said_at`` (when the entry was typed, by the device's clock) is kept within its bounds
(``services.resolve_meeting``, ``services.check_said_at``): out of them, the entry alone is
refused, in French.
"""

import base64
import binascii
import logging
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from participation.accounts import scope
from participation.api.bodies import StrictJSON
from participation.core import images
from participation.core.ratelimit import RateLimited
from participation.territory.models import Objectif, Quartier

from .. import rules, storage
from ..expressions import services
from ..models import FIELD_SOURCES, AgeGroup, Consultation, Expression, Visibility

logger = logging.getLogger(__name__)

MAX_ENTRIES = 50

SENT = "envoyee"
REFUSED = "refusee"
RETRY = "reessayer"
STATES = {
    SENT: gettext_lazy("envoyée : enregistrée sur la plateforme"),
    REFUSED: gettext_lazy("refusée : à corriger sur l'appareil, puis à renvoyer"),
    RETRY: gettext_lazy("à réessayer plus tard, telle quelle (rien n'est perdu)"),
}


def _evenement_model():
    return Expression._meta.get_field("evenement").related_model


# A photo that cannot be read is the person's to choose again, not a broken request.
PHOTO = "photo"


class Base64PhotoField(serializers.CharField):
    """A photo as base64 (optionally a ``data:`` URL): a checked file, not yet decoded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return None
        if text.startswith("data:"):
            _header, _comma, text = text.partition(",")
        # Base64 is 4/3 of the bytes: refuse a too heavy photo before decoding it.
        if len(text) * 3 // 4 > images.MAX_BYTES:
            raise serializers.ValidationError(
                str(images.TOO_HEAVY)
                % {
                    "size": filesizeformat(len(text) * 3 // 4),
                    "limit": filesizeformat(images.MAX_BYTES),
                },
                code=PHOTO,
            )
        try:
            content = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError(
                _("La photo n'a pas été transmise correctement : joignez-la à nouveau."),
                code=PHOTO,
            ) from exc
        photo = ContentFile(content, name="photo")
        try:
            images.check_photo(photo)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages, code=PHOTO) from error
        return photo


class SaidAtField(serializers.DateTimeField):
    """When an entry was typed: ISO 8601 with its offset, since a time without one would be
    read in the server's time zone, which the device's clock may not share. Its bounds are
    rules (``services.check_said_at``): out of them, the entry alone is refused."""

    default_error_messages = {
        "invalid": gettext_lazy(
            "L'heure de saisie s'écrit en ISO 8601 avec son décalage horaire, par exemple "
            "2026-12-03T10:15:00+01:00."
        ),
        "overflow": gettext_lazy("L'heure de saisie est hors des dates possibles."),
    }

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail("invalid")
        return super().to_internal_value(value)


class FieldEntrySerializer(StrictJSON, serializers.Serializer):
    """One entry typed in field mode, as the device sends it."""

    uuid = serializers.UUIDField(
        help_text="Identifiant fait sur l'appareil ; le même ne crée jamais deux expressions.",
        error_messages={"invalid": gettext_lazy("L'identifiant de l'entrée n'est pas un UUID.")},
    )
    evenement = serializers.PrimaryKeyRelatedField(
        queryset=_evenement_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="Numéro de l'événement où ces paroles ont été recueillies (la source).",
        error_messages={
            "does_not_exist": gettext_lazy(
                "L'événement n° {pk_value} n'existe plus : choisissez-en un autre, ou « aucun »."
            ),
            "incorrect_type": gettext_lazy("Choisissez l'événement dans la liste."),
        },
    )
    source = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in FIELD_SOURCES],
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Type de rencontre ; absent, vide ou null : celui de l'événement (sans "
        "événement, l'entrée est refusée).",
        error_messages={"invalid_choice": gettext_lazy("Choisissez le type de rencontre.")},
    )
    quartier = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Quartier.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug du quartier dont parlent les personnes ; absent ou null : celui de "
        "l'événement s'il n'en concerne qu'un (sinon l'entrée est refusée).",
        error_messages={
            "does_not_exist": gettext_lazy(
                "Le quartier « {value} » n'existe plus sur la plateforme : choisissez-en un "
                "autre, puis renvoyez."
            ),
            "invalid": gettext_lazy("Choisissez le quartier dans la liste."),
        },
    )
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=True, help_text="Ce qui a été dit.", default=""
    )
    objectifs = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Objectif.objects.all(),
        required=False,
        default=list,
        help_text="Numéros des objectifs du quartier ; vide : « je ne sais pas ».",
        error_messages={
            "does_not_exist": gettext_lazy(
                "L'objectif n° {pk_value} n'existe plus : décochez-le ou choisissez-en un "
                "autre, puis renvoyez."
            ),
            "incorrect_type": gettext_lazy("Choisissez les objectifs dans la liste."),
            "not_a_list": gettext_lazy("Les objectifs sont une liste de numéros."),
        },
    )
    consultation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Consultation.objects.all(),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": gettext_lazy("La consultation « {value} » n'existe plus."),
        },
    )
    people_count = serializers.IntegerField(
        min_value=1,
        max_value=500,
        default=1,
        error_messages={
            "min_value": gettext_lazy("Au moins une personne."),
            "max_value": gettext_lazy("500 personnes au plus : comptez un groupe par message."),
            "invalid": gettext_lazy("Écrivez un nombre de personnes, par exemple 3."),
        },
    )
    age_group = serializers.ChoiceField(
        choices=AgeGroup.choices, allow_blank=True, default="", help_text="Tranche d'âge."
    )
    contact = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Seulement avec son accord."
    )
    contact_consent = serializers.BooleanField(default=False)
    visibility = serializers.ChoiceField(
        choices=[
            (Visibility.PUBLIC_ANONYMOUS.value, Visibility.PUBLIC_ANONYMOUS.label),
            (Visibility.PRIVATE.value, Visibility.PRIVATE.label),
        ],
        default=Visibility.PUBLIC_ANONYMOUS,
    )
    photo = Base64PhotoField(
        help_text="Photo en base64 (ou URL data:), JPEG, PNG, WebP ou HEIC, 10 Mo au plus ; "
        "elle est ré-encodée sans métadonnées (ni GPS ni EXIF)."
    )
    photo_description = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="Ce que montre la photo."
    )
    said_at = SaidAtField(
        required=False,
        allow_null=True,
        help_text="Quand l'entrée a été saisie, à l'horloge de l'appareil : date et heure ISO "
        "8601 avec son décalage horaire (2026-12-03T10:15:00+01:00). Au plus "
        f"{services.SAID_AT_CLOCK_SKEW.seconds // 60} minutes dans le futur et "
        f"{services.SAID_AT_MAX_AGE.days} jours dans le passé, sinon l'entrée est refusée ; "
        "absente ou null : l'heure de réception.",
    )


class SyncRequestSerializer(serializers.Serializer):
    """For the schema: what a sync request holds (entries are validated one by one)."""

    entrees = FieldEntrySerializer(many=True, max_length=MAX_ENTRIES)


class EntryResultSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(allow_null=True, help_text="L'identifiant de l'entrée reçue.")
    position = serializers.IntegerField(help_text="Rang de l'entrée dans le lot (à partir de 0).")
    etat = serializers.ChoiceField(
        choices=[(key, str(label)) for key, label in STATES.items()],
        help_text="envoyee, refusee (à corriger) ou reessayer (plus tard, telle quelle).",
    )
    expression = serializers.IntegerField(
        allow_null=True, help_text="Numéro de l'expression enregistrée."
    )
    deja_recue = serializers.BooleanField(help_text="Déjà reçue lors d'un envoi précédent.")
    raison = serializers.CharField(allow_blank=True, help_text="Pourquoi elle est refusée.")
    champs = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Les messages de chaque champ à corriger.",
    )


class SyncResponseSerializer(serializers.Serializer):
    resultats = EntryResultSerializer(many=True)
    envoyees = serializers.IntegerField()
    refusees = serializers.IntegerField()
    a_reessayer = serializers.IntegerField()
    synchronise_le = serializers.DateTimeField()


@dataclass
class EntryResult:
    position: int
    uuid: uuid.UUID | None
    etat: str
    expression: Expression | None = None
    deja_recue: bool = False
    raison: str = ""
    champs: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "uuid": str(self.uuid) if self.uuid else None,
            "position": self.position,
            "etat": self.etat,
            "expression": self.expression.pk if self.expression else None,
            "deja_recue": self.deja_recue,
            "raison": self.raison,
            "champs": self.champs,
        }


def _messages(detail) -> dict[str, list[str]]:
    """DRF or Django error details as {field: [messages]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, dict):
                    for inner, messages in _messages(item).items():
                        fields.setdefault(f"{name}.{inner}", []).extend(messages)
                else:
                    fields.setdefault(str(name), []).append(str(item))
    else:
        values = detail if isinstance(detail, list) else [detail]
        fields["non_field_errors"] = [str(item) for item in values]
    return fields


def _refused(position, key, fields: dict[str, list[str]]) -> EntryResult:
    reasons: list[str] = []
    for messages in fields.values():
        for message in messages:
            if message not in reasons:
                reasons.append(message)
    return EntryResult(
        position=position, uuid=key, etat=REFUSED, raison=" ".join(reasons), champs=fields
    )


def _uuid_of(raw) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw.get("uuid", "")))
    except (ValueError, AttributeError, TypeError):
        return None


# Field errors that mean the entry breaks its schema (a program's bug, not a person's slip):
# a value missing, null, of the wrong type or format, outside its values or bounds.
FORM_CODES = {
    "required",
    "null",
    "invalid",
    "incorrect_type",
    "not_a_list",
    "invalid_choice",
    "max_length",
    "max_string_length",
    "min_value",
    "max_value",
}


@dataclass
class Checked:
    """An entry read and validated, ready to be stored."""

    position: int
    uuid: uuid.UUID
    data: dict


def _form_errors(errors) -> dict[str, list[str]]:
    return {
        name: [str(detail) for detail in details]
        for name, details in errors.items()
        if any(getattr(detail, "code", None) in FORM_CODES for detail in details)
    }


def _check(position: int, raw, received: dict) -> EntryResult | Checked:
    """Read one entry: already received, refused with its reasons, or ready to store.

    Raises ``serializers.ValidationError`` (naming ``entrees.<position>.<field>``) when the
    entry breaks its schema: the whole batch is then refused, before anything is stored.
    """
    if not isinstance(raw, dict):
        raise serializers.ValidationError(
            {f"entrees.{position}": [_("Chaque saisie est un objet JSON.")]}
        )
    key = _uuid_of(raw)
    if key in received:
        # Already received: answer as the first time, without judging it (nor its photo) again.
        return EntryResult(
            position=position, uuid=key, etat=SENT, expression=received[key], deja_recue=True
        )
    serializer = FieldEntrySerializer(data=raw)
    if serializer.is_valid():
        return Checked(position=position, uuid=key, data=serializer.validated_data)
    malformed = _form_errors(serializer.errors)
    if malformed:
        raise serializers.ValidationError(
            {f"entrees.{position}.{name}": messages for name, messages in malformed.items()}
        )
    return _refused(position, key, _messages(serializer.errors))


def _store(mediator, entry: Checked) -> EntryResult:
    data = entry.data
    try:
        expression, created = services.record_in_field(
            mediator=mediator,
            quartier=data.get("quartier"),
            text=data["text"],
            source=data.get("source") or "",
            objectifs=data["objectifs"],
            consultation=data.get("consultation"),
            evenement=data.get("evenement"),
            people_count=data["people_count"],
            age_group=data["age_group"],
            contact=data["contact"],
            contact_consent=data["contact_consent"],
            visibility=data["visibility"],
            photo=data.get("photo"),
            photo_description=data["photo_description"],
            idempotency_key=data["uuid"],
            said_at=data.get("said_at"),
        )
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        return _refused(entry.position, entry.uuid, _messages(detail))
    except RateLimited as limited:
        return EntryResult(
            position=entry.position, uuid=entry.uuid, etat=RETRY, raison=limited.message
        )
    return EntryResult(
        position=entry.position,
        uuid=entry.uuid,
        etat=SENT,
        expression=expression,
        deja_recue=not created,
    )


def _unexpected(mediator, position: int, raw) -> EntryResult:
    logger.exception("Field sync: entry %s of %s failed", position, mediator.pk)
    return EntryResult(
        position=position,
        uuid=_uuid_of(raw) if isinstance(raw, dict) else None,
        etat=RETRY,
        raison=_(
            "Une erreur inattendue de notre côté : l'entrée reste sur l'appareil et sera renvoyée."
        ),
    )


def quartiers_offered(user) -> list[str] | None:
    """The slugs of the quartiers ``user`` records for (those of her communes, in the
    convention's order); None for platform-wide staff: every quartier."""
    if scope.quartier_ids(user) is None:
        return None
    quartiers = rules.quartiers_in_scope(user, Quartier.objects.order_by("position", "name"))
    return list(quartiers.values_list("slug", flat=True))


def synchronise(*, mediator, entries: list) -> list[EntryResult]:
    """Store each entry once; return one result per entry, in the order received.

    Every entry is read first: if one breaks its schema, ``serializers.ValidationError`` is
    raised and nothing is stored (the API answers 400). Then each valid entry is stored in its
    own savepoint. Raises PermissionDenied for anyone but a mediator (or the référent). An
    entry that fails in an unexpected way is answered « reessayer » and logged; the others
    go on.
    """
    if not rules.can_record_in_field(mediator):
        raise PermissionDenied(
            _("Seuls les médiateur·rices recueillent des expressions sur le terrain.")
        )
    keys = [key for raw in entries if isinstance(raw, dict) and (key := _uuid_of(raw))]
    received = {
        expression.idempotency_key: expression
        for expression in Expression.objects.filter(recorded_by=mediator, idempotency_key__in=keys)
    }
    checked: list[EntryResult | Checked] = []
    for position, raw in enumerate(entries):
        try:
            checked.append(_check(position, raw, received))
        except serializers.ValidationError:
            raise
        except Exception:  # noqa: BLE001 - one broken entry must not lose the others
            checked.append(_unexpected(mediator, position, raw))
    results = []
    for position, item in enumerate(checked):
        if isinstance(item, EntryResult):
            results.append(item)
            continue
        try:
            # The entry's own savepoint; its photo, written before its row, goes with it.
            with storage.files_undone_on_error(), transaction.atomic():
                results.append(_store(mediator, item))
        except Exception:  # noqa: BLE001 - one broken entry must not lose the others
            results.append(_unexpected(mediator, position, entries[position]))
    return results
