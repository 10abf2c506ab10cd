"""Forms of the expression citoyenne: every rule gives a French message next to its field."""

import functools
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from evenements import public as evenements_public
from participation.core import images
from participation.territory.models import Objectif, Quartier

from .. import rules
from ..models import FIELD_SOURCES, AgeGroup, Consultation, Expression, Signalement, Visibility
from . import kept_photos, services


def _event_choices(events) -> list[tuple[int, str]]:
    """``(pk, « title — date »)`` for the events, in their order."""
    return [
        (
            event.pk,
            f"{event.title} — {formats.date_format(timezone.localtime(event.starts_at), 'j F Y')}",
        )
        for event in events
    ]


def _newest_first(events) -> list:
    return sorted(events, key=lambda event: event.starts_at, reverse=True)


def _evenement_model():
    return Expression._meta.get_field("evenement").related_model


def enjeu_label(enjeu) -> str:
    return enjeu.plain_title or enjeu.title


class ExpressionFormMixin:
    """The quartier chooses which objectives are shown, grouped by enjeu in plain words.

    Without JavaScript, the « Afficher les objectifs de ce quartier » button re-displays
    the form for the chosen quartier, keeping what was typed; with it, the groups change
    in place from ``objectifs_data``.
    """

    def _setup_objectifs(self, default_quartier_id):
        field = self.fields["quartier"]
        field.queryset = self._quartiers_in_order()
        # Shown from ``quartiers`` (a select built from the queryset reads it twice more);
        # read only to be shown: a valid submission looks up its one quartier.
        field.choices = functools.cache(
            lambda: [
                *([("", field.empty_label)] if field.empty_label is not None else []),
                *((q.pk, field.label_from_instance(q)) for q in self.quartiers),
            ]
        )
        field.initial = default_quartier_id
        # Objectives retired from today are no longer offered, but a record keeps its own.
        kept = [getattr(o, "pk", o) for o in self.initial.get("objectifs") or []]
        self.fields["objectifs"].queryset = Objectif.objects.in_force(keep=kept)

    def _quartiers_in_order(self):
        """Every quartier; the resident's own, then her communes' ones, first."""
        user = getattr(self, "user", None)
        if user is None:
            return Quartier.objects.order_by("position", "name")
        return Quartier.objects.nearest_first(user)

    @cached_property
    def quartiers(self):
        return list(self._quartiers_in_order())

    @cached_property
    def _all_objectifs(self):
        """Read only to show the form: a valid submission never needs them."""
        return list(
            self.fields["objectifs"]
            .queryset.select_related("enjeu")
            .order_by("quartier_id", "enjeu__number", "position")
        )

    @property
    def current_quartier(self):
        raw = self.data.get(self.add_prefix("quartier")) if self.is_bound else None
        if raw is None:
            raw = self.initial.get("quartier", self.fields["quartier"].initial)
        raw = getattr(raw, "pk", raw)
        for quartier in self.quartiers:
            if str(quartier.pk) == str(raw):
                return quartier
        return self.quartiers[0] if self.quartiers else None

    def _checked_objectifs(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("objectifs")))
        initial = self.initial.get("objectifs") or []
        return {str(getattr(value, "pk", value)) for value in initial}

    @property
    def objectif_groups(self):
        """[(enjeu label, [(objectif, checked)])] for the current quartier."""
        quartier = self.current_quartier
        checked = self._checked_objectifs()
        groups: dict = {}
        for objectif in self._all_objectifs:
            if quartier is None or objectif.quartier_id != quartier.pk:
                continue
            label = enjeu_label(objectif.enjeu)
            groups.setdefault(label, []).append((objectif, str(objectif.pk) in checked))
        return list(groups.items())

    @property
    def objectifs_data(self):
        """Every quartier's objectives, for the script that changes them in place."""
        data: dict[str, list] = {}
        for objectif in self._all_objectifs:
            groups = data.setdefault(str(objectif.quartier_id), [])
            label = enjeu_label(objectif.enjeu)
            if not groups or groups[-1]["enjeu"] != label:
                groups.append({"enjeu": label, "objectifs": []})
            groups[-1]["objectifs"].append({"id": objectif.pk, "label": str(objectif)})
        return data

    def _setup_consultations(self):
        """Only open consultations are offered; a closed one sent anyway gets its message."""
        field = self.fields["consultation"]
        # Read when the form is shown (once: a select reads its choices twice), not to validate.
        field.choices = functools.cache(
            lambda: [
                ("", field.empty_label),
                *((c.pk, c.title) for c in Consultation.objects.open().order_by("closes_on")),
            ]
        )

    def clean_photo(self):
        """Size, format and pixel count from the header: the service decodes it, if it must."""
        uploaded = self.cleaned_data.get("photo")
        if not uploaded:
            return None
        images.check_photo(uploaded)
        return uploaded

    def _clean_kept_photo(self, cleaned):
        """The photo kept when the form came back, as chosen: kept, removed or replaced.

        ``cleaned["photo"]`` becomes the kept photo when she keeps it; a new file sent wins
        unless she chose « Retirer ». The token must be one this session kept (for this
        account): any other is refused like an expired one, with nothing said of whose it is.
        """
        token = cleaned.get("kept_photo")
        choice = cleaned.get("photo_choice") or kept_photos.KEEP
        if not token or self.has_error("photo"):
            return
        if choice == kept_photos.REMOVE:
            cleaned["photo"] = None
            return
        if cleaned.get("photo"):
            return
        kept = self.kept_photos.get(token) if self.kept_photos is not None else None
        if kept is None:
            self.add_error("photo", kept_photos.GONE)
        elif choice == kept_photos.REPLACE:
            self.add_error(
                "photo",
                _("Choisissez la nouvelle photo, ou gardez celle que vous aviez choisie."),
            )
        else:
            cleaned["photo"] = kept

    def _apply_service_rules(self, cleaned, *, consultation=None):
        """Run the shared rules of services.validate_expression, errors next to each field."""
        try:
            cleaned["text"] = services.validate_expression(
                quartier=cleaned.get("quartier"),
                text=cleaned.get("text", ""),
                objectifs=cleaned.get("objectifs") or [],
                consultation=consultation,
                evenement=cleaned.get("evenement"),
                author=getattr(self, "user", None),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)


class ExpressionForm(ExpressionFormMixin, forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    quartier = forms.ModelChoiceField(
        label=_("Votre quartier"),
        queryset=Quartier.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choisissez le quartier dont vous parlez.")},
    )
    text = forms.CharField(
        label=_("Votre message"),
        help_text=_(
            "Ce qui va, ce qui ne va pas, une idée : avec vos mots. Ne donnez pas le nom ou "
            "l'adresse d'une autre personne."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": services.TEXT_MAX_LENGTH}),
        required=False,  # the service says why an empty message is refused
        strip=True,
    )
    objectifs = forms.ModelMultipleChoiceField(
        label=_("De quoi parle votre message ?"),
        queryset=Objectif.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Cet objectif n'existe pas ou plus : décochez-le.")},
    )
    objectifs_unknown = forms.BooleanField(
        label=_("Je ne sais pas : les médiateur·rices relieront mon message au bon objectif."),
        required=False,
    )
    consultation = forms.ModelChoiceField(
        label=_("Répondez-vous à une consultation ?"),
        queryset=Consultation.objects.all(),
        required=False,
        empty_label=_("Non, c'est un message libre"),
        error_messages={"invalid_choice": _("Cette consultation n'existe pas.")},
    )
    evenement = forms.ModelChoiceField(
        label=_("Étiez-vous à un événement ? (facultatif)"),
        queryset=None,
        required=False,
        empty_label=_("Non"),
        error_messages={"invalid_choice": _("Cet événement n'existe pas.")},
    )
    photo = forms.FileField(
        label=_("Une photo ? (facultatif)"),
        help_text=_(
            "JPEG, PNG, WebP ou HEIC, 10 Mo au plus. Nous retirons sa localisation et ses autres informations cachées."
        ),
        required=False,
        widget=forms.FileInput(attrs={"accept": images.ACCEPT_ATTRIBUTE}),
    )
    # A photo kept when the form came back (kept_photos.py): its token and what to do with it.
    kept_photo = forms.CharField(required=False, widget=forms.HiddenInput)
    photo_choice = forms.ChoiceField(
        label=_("Que faire de cette photo ?"),
        choices=[
            (kept_photos.KEEP, _("Garder cette photo")),
            (kept_photos.REMOVE, _("Retirer")),
            (kept_photos.REPLACE, _("Choisir une autre photo")),
        ],
        initial=kept_photos.KEEP,
        required=False,
        widget=forms.RadioSelect,
    )
    photo_description = forms.CharField(
        label=_("Que montre la photo ? (facultatif)"),
        help_text=_("Quelques mots pour les personnes qui ne voient pas l'image."),
        max_length=200,
        required=False,
    )
    visibility = forms.ChoiceField(
        label=_("Qui peut lire votre message ?"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC_ANONYMOUS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, evenement_initial=None, kept_photos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kept_photos = kept_photos
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4()
        self._setup_objectifs(getattr(user, "quartier_id", None))
        self.fields["visibility"].choices = [
            (Visibility.PUBLIC_NAMED, _("Tout le monde, avec mon nom affiché")),
            (
                Visibility.PUBLIC_ANONYMOUS,
                _("Tout le monde, sans mon nom (« un·e habitant·e de mon quartier »)"),
            ),
            (Visibility.PRIVATE, _("Seulement les médiateur·rices et le comité")),
        ]
        self._setup_consultations()
        self._setup_evenements(evenement_initial)

    def use_easy_read(self):
        """The « Facile à lire » help (participation/core/easyread.py): short sentences,
        common words; what the fields accept does not change. Also once the form has been
        validated: its bound fields keep a copy of their label and help."""
        help_texts = {
            "text": _(
                "Dites ce qui va bien, ce qui ne va pas, ou votre idée. "
                "N'écrivez pas le nom ou l'adresse d'une autre personne."
            ),
            "photo": _(
                "Votre photo doit être petite : 10 Mo au plus. "
                "Nous enlevons de la photo l'endroit où elle a été prise."
            ),
            "photo_description": _(
                "Dites en quelques mots ce qu'on voit sur la photo. "
                "C'est utile pour les personnes qui ne voient pas bien."
            ),
        }
        for name, help_text in help_texts.items():
            self.fields[name].help_text = self[name].help_text = help_text
        unknown = _("Je ne sais pas. Un médiateur choisira pour moi.")
        self.fields["objectifs_unknown"].label = self["objectifs_unknown"].label = unknown
        self.fields["visibility"].choices = [
            (Visibility.PUBLIC_NAMED, _("Tout le monde. Mon nom est écrit.")),
            (Visibility.PUBLIC_ANONYMOUS, _("Tout le monde. Mon nom n'est pas écrit.")),
            (Visibility.PRIVATE, _("Seulement les médiateurs et le comité.")),
        ]

    def _setup_evenements(self, evenement_initial):
        if evenement_initial is not None:
            self.initial.setdefault("evenement", evenement_initial.pk)
        field = self.fields["evenement"]
        field.queryset = _evenement_model().objects.all()

        @functools.cache  # read when the form is shown (once), not when it is only validated
        def choices():
            now = timezone.now()
            mine = {e.pk: e for e in evenements_public.events_attended_by(self.user)[:20]}
            others = {
                event.pk: event
                for event in evenements_public.recent_events()
                if event.starts_at <= now and event.pk not in mine
            }
            if evenement_initial is not None and evenement_initial.pk not in mine:
                others.setdefault(evenement_initial.pk, evenement_initial)
            if not mine:
                return [("", field.empty_label), *_event_choices(_newest_first(others.values()))]
            # Hers first (UX review #14): the events she came to, then the others.
            return [
                ("", field.empty_label),
                (_("Ceux où vous étiez inscrit·e"), _event_choices(_newest_first(mine.values()))),
                (
                    _("Les autres événements récents"),
                    _event_choices(_newest_first(others.values())),
                ),
            ]

        field.choices = choices

    def clean(self):
        cleaned = super().clean()
        self._apply_service_rules(cleaned, consultation=cleaned.get("consultation"))
        self._clean_kept_photo(cleaned)
        if cleaned.get("visibility") == Visibility.PUBLIC_NAMED and not self.user.display_name:
            self.add_error(
                "visibility",
                _(
                    "Vous n'avez pas encore de nom affiché : ajoutez-en un dans votre profil, "
                    "ou choisissez « sans mon nom »."
                ),
            )
        return cleaned


class ExpressionEditForm(ExpressionFormMixin, forms.Form):
    quartier = ExpressionForm.base_fields["quartier"]
    text = ExpressionForm.base_fields["text"]
    objectifs = ExpressionForm.base_fields["objectifs"]
    objectifs_unknown = ExpressionForm.base_fields["objectifs_unknown"]
    visibility = ExpressionForm.base_fields["visibility"]

    def __init__(self, *args, expression, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "quartier": expression.quartier_id,
                "text": expression.text,
                "objectifs": list(expression.objectifs.all()),
                "objectifs_unknown": expression.objectifs_unknown,
                "visibility": expression.visibility,
            },
        )
        super().__init__(*args, **kwargs)
        self.expression = expression
        self._setup_objectifs(expression.quartier_id)

    def clean(self):
        cleaned = super().clean()
        self._apply_service_rules(cleaned)
        return cleaned


class FieldExpressionForm(ExpressionFormMixin, forms.Form):
    """What a mediator types at a stand or a table ronde, for people without an account."""

    idempotency_key = ExpressionForm.base_fields["idempotency_key"]
    evenement = forms.ModelChoiceField(
        label=_("Événement où ces paroles ont été recueillies"),
        queryset=None,
        required=False,
        empty_label=_("Aucun (rencontre hors événement)"),
    )
    source = forms.ChoiceField(
        label=_("Type de rencontre"),
        choices=[("", _("Celui de l'événement")), *((s.value, s.label) for s in FIELD_SOURCES)],
        required=False,  # the event's when none is chosen (services.resolve_meeting)
        help_text=_("Repris de l'événement choisi : changez-le si la rencontre était autre."),
    )
    quartier = ExpressionForm.base_fields["quartier"]
    text = forms.CharField(
        label=_("Ce qui a été dit"),
        help_text=_("Avec les mots des personnes ; sans nom ni adresse de qui que ce soit."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": services.TEXT_MAX_LENGTH}),
        required=False,
        strip=True,
    )
    objectifs = ExpressionForm.base_fields["objectifs"]
    objectifs_unknown = ExpressionForm.base_fields["objectifs_unknown"]
    consultation = ExpressionForm.base_fields["consultation"]
    people_count = forms.IntegerField(
        label=_("Nombre de personnes"),
        min_value=1,
        max_value=500,
        initial=1,
        error_messages={
            "min_value": _("Au moins une personne."),
            "max_value": _("500 personnes au plus : comptez un groupe par message."),
            "invalid": _("Écrivez un nombre, par exemple 3."),
            "required": _("Combien de personnes ont dit cela ? 1 si vous ne savez pas."),
        },
    )
    age_group = forms.ChoiceField(
        label=_("Tranche d'âge (facultatif)"),
        choices=[("", _("Non renseignée")), *AgeGroup.choices],
        required=False,
    )
    contact_consent = forms.BooleanField(
        label=_("La personne accepte d'être recontactée au sujet de ce message"),
        required=False,
    )
    contact = forms.CharField(
        label=_("Son contact (facultatif)"),
        help_text=_(
            "Courriel ou téléphone, seulement avec son accord. Seuls les médiateur·rices le voient."
        ),
        max_length=200,
        required=False,
    )
    photo = ExpressionForm.base_fields["photo"]
    kept_photo = ExpressionForm.base_fields["kept_photo"]
    photo_choice = ExpressionForm.base_fields["photo_choice"]
    photo_description = ExpressionForm.base_fields["photo_description"]
    visibility = forms.ChoiceField(
        label=_("Publication"),
        choices=[
            (Visibility.PUBLIC_ANONYMOUS, _("Publique, sans nom")),
            (Visibility.PRIVATE, _("Privée : seulement les médiateur·rices et le comité")),
        ],
        initial=Visibility.PUBLIC_ANONYMOUS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, kept_photos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kept_photos = kept_photos
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4()
        # No quartier is guessed: the event's when it has only one, else the mediator's choice.
        quartier = self.fields["quartier"]
        quartier.required = False
        quartier.empty_label = _("Choisissez le quartier")
        self._setup_objectifs(None)
        self._setup_consultations()
        self._setup_evenements()
        if not self.is_bound:
            self._initial_from_event()

    def _quartiers_in_order(self):
        """Only the quartiers of the mediator's communes (services.record_in_field refuses
        the others)."""
        return rules.quartiers_in_scope(self.user, Quartier.objects.order_by("position", "name"))

    @cached_property
    def _events(self) -> tuple[list, list]:
        """``(today, earlier)``: read when the form is shown, not when it is only validated."""
        return evenements_public.events_today_first()

    def _setup_evenements(self):
        field = self.fields["evenement"]
        field.queryset = _evenement_model().objects.all()

        @functools.cache
        def choices():
            today, earlier = self._events
            return [
                ("", field.empty_label),
                *([(_("Aujourd'hui"), _event_choices(today))] if today else []),
                *([(_("Les jours précédents"), _event_choices(earlier))] if earlier else []),
            ]

        field.choices = choices

    def _initial_from_event(self):
        """The kind of meeting and the quartier of the event given (``?evenement=``), unless
        they are given too."""
        raw = self.initial.get("evenement")
        raw = str(getattr(raw, "pk", raw) or "")
        if not raw or (self.initial.get("source") and self.initial.get("quartier")):
            return
        today, earlier = self._events
        event = next((e for e in (*today, *earlier) if str(e.pk) == raw), None)
        if event is None:
            return
        source, quartier = services.event_defaults(event)
        self.initial["source"] = self.initial.get("source") or source
        if not self.initial.get("quartier") and quartier is not None:
            self.initial["quartier"] = quartier.pk

    @property
    def evenement_defaults(self) -> dict:
        """Each offered event's kind of meeting and quartiers, for the script that fills them
        in when the event is chosen (static/js/lib/event-defaults.js)."""
        today, earlier = self._events
        return {
            str(event.pk): {
                "source": services.source_of_event(event),
                "quartiers": [str(q.pk) for q in event.quartiers.all()],
            }
            for event in (*today, *earlier)
        }

    @property
    def current_quartier(self):
        raw = (
            self.data.get(self.add_prefix("quartier"))
            if self.is_bound
            else self.initial.get("quartier")
        )
        return super().current_quartier if raw else None

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["source"], cleaned["quartier"] = services.resolve_meeting(
                evenement=cleaned.get("evenement"),
                source=cleaned.get("source") or "",
                quartier=cleaned.get("quartier"),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)
        self._apply_service_rules(cleaned, consultation=cleaned.get("consultation"))
        self._clean_kept_photo(cleaned)
        if (cleaned.get("contact") or "").strip() and not cleaned.get("contact_consent"):
            self.add_error("contact", services.CONTACT_NEEDS_CONSENT)
        return cleaned


class SignalementForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Pourquoi signalez-vous ce message ?"),
        choices=Signalement.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une raison.")},
    )
    details = forms.CharField(
        label=_("Précisions (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        max_length=2000,
        required=False,
    )
