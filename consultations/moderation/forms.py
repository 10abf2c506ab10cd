"""Forms of the moderation: each validates what it can, services check the rest."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from participation.core.ids import PK_MAX, PkChoiceField, PkMultipleChoiceField, is_pk
from participation.territory.models import Objectif, Quartier

from .. import rules
from ..changes import first_words
from ..models import Consultation, Etiquette, Expression, Instance
from .queue import text_version
from .services import Area, RejectionReason, SignalementDecision, check_area


class RejectForm(forms.Form):
    prefix = "rejet"

    reason = forms.ChoiceField(
        label=_("Raison"),
        choices=RejectionReason.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la raison dans la liste.")},
    )
    details = forms.CharField(
        label=_("Explication pour l'auteur"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Écrivez simplement, comme à l'oral : l'auteur lit ce texte."),
    )


class RedactForm(forms.Form):
    prefix = "caviardage"

    text = forms.CharField(
        label=_("Texte publié"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Retirez les noms, adresses et détails qui permettent de reconnaître quelqu'un. "
            "Le texte d'origine n'est gardé que pour le ou la référent·e."
        ),
        error_messages={"required": _("Le message ne peut pas être vide.")},
    )
    reason = forms.CharField(
        label=_("Ce qui a été retiré (pour l'équipe)"),
        required=False,
        max_length=200,
        help_text=_("Par exemple : « nom d'un voisin »."),
    )
    version = forms.CharField(widget=forms.HiddenInput)


class EtiquettesForm(forms.Form):
    prefix = "etiquettes"

    etiquettes = PkMultipleChoiceField(
        label=_("Étiquettes"),
        queryset=Etiquette.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        show_hidden_initial=True,  # what the page showed: see ModerationForm
    )
    new = forms.CharField(
        label=_("Nouvelle étiquette"),
        required=False,
        max_length=60,
        help_text=_("Créée et ajoutée à cette expression."),
    )

    @classmethod
    def for_expression(cls, expression: Expression) -> "EtiquettesForm":
        """Every tag, those of the expression checked: one query."""
        through = Etiquette.expressions.through
        etiquettes = list(
            Etiquette.objects.annotate(
                on_it=Exists(
                    through.objects.filter(expression_id=expression.pk, etiquette=OuterRef("pk"))
                )
            ).order_by("name")
        )
        form = cls(initial={"etiquettes": [e.pk for e in etiquettes if e.on_it]})
        form.fields["etiquettes"].widget.choices = [(e.pk, e.name) for e in etiquettes]
        return form


class ObjectifsForm(forms.Form):
    prefix = "objectifs"

    objectifs = PkMultipleChoiceField(
        label=_("Objectifs du contrat de ville"),
        queryset=Objectif.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : l'objectif reste « à trouver »."),
        show_hidden_initial=True,
    )

    def __init__(self, *args, expression: Expression, **kwargs):
        super().__init__(*args, **kwargs)
        # Every objective is offered; the service refuses those of another quartier.
        self.fields["objectifs"].queryset = Objectif.objects.filter(
            quartier_id=expression.quartier_id
        ).order_by("enjeu__number", "position")

    @classmethod
    def for_expression(cls, expression: Expression) -> "ObjectifsForm":
        """The quartier's objectives, those of the expression checked: one query."""
        through = Expression.objectifs.through
        form = cls(expression=expression)
        objectifs = list(
            form.fields["objectifs"].queryset.annotate(
                chosen=Exists(
                    through.objects.filter(expression_id=expression.pk, objectif=OuterRef("pk"))
                )
            )
        )
        form.initial = {"objectifs": [o.pk for o in objectifs if o.chosen]}
        form.fields["objectifs"].widget.choices = [(o.pk, str(o)) for o in objectifs]
        return form


class MergeForm(forms.Form):
    """The expression to merge with: one of the likely duplicates the page suggests, or any
    number typed. Choosing leads to a preview, never to the merge itself."""

    prefix = "fusion"

    # Drawn from the suggestions of the page (``offer``); any number is taken back: the
    # suggestions may have changed since, and the service checks the expression chosen.
    suggestion = forms.IntegerField(
        label=_("Expressions semblables du même quartier"),
        required=False,
        min_value=1,
        max_value=PK_MAX,
        widget=forms.RadioSelect,
        error_messages={"invalid": _("Choisissez une expression de la liste.")},
    )
    target = forms.IntegerField(
        label=_("Numéro de l'expression qui dit la même chose"),
        required=False,
        min_value=1,
        max_value=PK_MAX,
        help_text=_("Si elle n'est pas dans la liste. Vous verrez les deux avant de confirmer."),
        error_messages={"invalid": _("Un numéro, par exemple 128.")},
    )

    def offer(self, expressions) -> None:
        """Show ``expressions`` (likely duplicates) as the choices of ``suggestion``."""
        self.fields["suggestion"].widget.choices = [
            (e.pk, suggestion_label(e)) for e in expressions
        ]

    def clean(self):
        data = super().clean()
        chosen, typed = data.get("suggestion"), data.get("target")
        if self.errors:
            return data
        if chosen and typed and chosen != typed:
            self.add_error(
                "target",
                _(
                    "Vous avez choisi le n° %(chosen)s dans la liste et tapé le n° %(typed)s : "
                    "gardez l'un des deux."
                )
                % {"chosen": chosen, "typed": typed},
            )
        elif not (chosen or typed):
            self.add_error(
                "target",
                _("Choisissez une expression dans la liste ou indiquez son numéro."),
            )
        else:
            data["target"] = typed or chosen
        return data


def suggestion_label(expression: Expression) -> str:
    """« n° 12, transmise, déposée le 3 mars 2026 : « Il faudrait plus… » »."""
    return _("n° %(number)s, %(status)s, déposée le %(date)s : « %(words)s »") % {
        "number": expression.pk,
        "status": expression.get_status_display(),
        "date": date_format(localtime(expression.created_at), "j F Y"),
        "words": first_words(expression.text),
    }


class InstancesField(PkMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display()})"


class RouteForm(forms.Form):
    prefix = "transmission"

    instances = InstancesField(
        label=_("Instances"),
        queryset=Instance.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une instance.")},
    )
    note = forms.CharField(
        label=_("Note pour les membres de l'instance"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le contexte utile ; l'auteur ne la lit pas."),
    )


class SignalementsForm(forms.Form):
    prefix = "signalement"

    decision = forms.ChoiceField(
        label=_("Que devient le message ?"),
        choices=SignalementDecision.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez ce que devient le message.")},
    )
    note = forms.CharField(
        label=_("Explication"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour retirer le message : son auteur la lit."),
    )


class ModerationForm:
    """The staff page's one form, in the order of the work: the text with personal data
    removed (``redact``), the classification (``etiquettes``, ``objectifs``), then the
    fields of each decision. Each part is a form with its own prefix, so one POST fills
    them all; the button pressed names the decision.

    The edits and the fields of that decision are validated together: the view writes
    nothing unless all are valid. The other decisions' fields keep what was typed, neither
    checked nor refused. Tags and objectives carry what the page showed (hidden
    initial values), so that a decision applies them only if the mediator changed them:
    it never undoes what a colleague set meanwhile.
    """

    EDITS = ("redact", "etiquettes", "objectifs")
    # The decision named by the button, and the form holding its own fields.
    DECISIONS = {
        "enregistrer": None,
        "publier": None,
        "rejeter": "reject",
        "transmettre": "route",
        "fusionner": "merge",
        "signalements": "signalements",
    }
    DECISION_FORMS = {
        "reject": RejectForm,
        "route": RouteForm,
        "merge": MergeForm,
        "signalements": SignalementsForm,
    }
    SAVE = "enregistrer"

    def __init__(self, expression: Expression, data=None, *, decision: str = SAVE):
        self.decision = decision
        if data is None:
            self.forms = {
                "redact": RedactForm(
                    initial={"text": expression.text, "version": text_version(expression)}
                ),
                "etiquettes": EtiquettesForm.for_expression(expression),
                "objectifs": ObjectifsForm.for_expression(expression),
                **{name: form() for name, form in self.DECISION_FORMS.items()},
            }
            return
        chosen = self.DECISIONS.get(decision)
        self.forms = {
            "redact": RedactForm(data),
            "etiquettes": EtiquettesForm(data),
            "objectifs": ObjectifsForm(data, expression=expression),
            **{
                name: form(data) if name == chosen else _as_typed(form(data))
                for name, form in self.DECISION_FORMS.items()
            },
        }

    @property
    def validated(self) -> list[str]:
        """The parts this decision checks: the edits, then its own fields."""
        chosen = self.DECISIONS.get(self.decision)
        return [*self.EDITS, *([chosen] if chosen else [])]

    def is_valid(self) -> bool:
        # Every part checked, not only up to the first refused: all its errors show at once.
        checked = [self.forms[name].is_valid() for name in self.validated]
        return all(checked)

    def first_refused(self) -> str | None:
        return next((name for name in self.validated if self.forms[name].errors), None)

    def __getitem__(self, name: str) -> forms.Form:
        return self.forms[name]


def _as_typed(bound: forms.Form) -> forms.Form:
    """The same form, unbound, showing what was typed in ``bound``: kept, not checked."""
    return type(bound)(initial={name: bound[name].value() for name in bound.fields})


def typed_values(form: forms.Form) -> list[tuple[str, str]]:
    """What was typed in ``form``, as (label, text) rows for reading back."""
    rows = []
    for field in form:
        value = field.value()
        values = value if isinstance(value, list | tuple) else [value]
        labels = {str(key): label for key, label in getattr(field.field, "choices", None) or []}
        shown = [str(labels.get(str(v), v)) for v in values if v not in (None, "")]
        if shown:
            rows.append((str(field.label), " ; ".join(shown)))
    return rows


def _percent(label, help_text=""):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"}),
        error_messages={
            "required": _("Donnez un nombre entre 0 et 100."),
            "invalid": _("Donnez un nombre entre 0 et 100, par exemple 25 ou 12.5."),
            "max_decimal_places": _("Un chiffre après la virgule au plus, par exemple 12.5."),
        },
    )


class BlurAreaForm(forms.Form):
    """« Flouter une zone » of the photo, in percent of the photo (the script of the page
    fills these fields from a rectangle drawn on the photo)."""

    prefix = "flou"

    left = _percent(_("Depuis la gauche (%)"), _("0 : le bord gauche de la photo."))
    top = _percent(_("Depuis le haut (%)"), _("0 : le haut de la photo."))
    width = _percent(_("Largeur (%)"))
    height = _percent(_("Hauteur (%)"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.area: Area = check_area(**data)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return data


class EtiquetteForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de l'étiquette"),
        max_length=60,
        error_messages={"required": _("Donnez un nom à l'étiquette.")},
    )


class BulkForm(forms.Form):
    """The queue's « pour la sélection » form: tag or route the checked expressions."""

    ACTIONS = [("etiqueter", _("Ajouter une étiquette")), ("transmettre", _("Transmettre"))]

    ids = forms.TypedMultipleChoiceField(
        label=_("Expressions cochées"), coerce=int, choices=[], required=True
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=forms.RadioSelect)
    etiquette = PkChoiceField(
        label=_("Étiquette"), queryset=Etiquette.objects.all(), required=False
    )
    instances = InstancesField(
        label=_("Instances"),
        queryset=Instance.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Note pour les membres de l'instance"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The instances of the person's communes, and those of the whole platform.
        instances = self.fields["instances"]
        instances.queryset = rules.instances_in_scope(user, instances.queryset)
        self.fields["ids"].error_messages["required"] = _("Cochez au moins une expression.")
        # Any number may be checked; the services refuse those that cannot be handled.
        raw = self.data.getlist("ids") if self.is_bound else []
        self.fields["ids"].choices = [(v, v) for v in raw if is_pk(v)]
        self.fields["ids"].error_messages["invalid_choice"] = _("Numéro d'expression inconnu.")

    def clean(self):
        data = super().clean()
        if data.get("action") == "etiqueter" and not data.get("etiquette"):
            self.add_error("etiquette", _("Choisissez l'étiquette à ajouter."))
        if data.get("action") == "transmettre" and not data.get("instances"):
            self.add_error("instances", _("Choisissez au moins une instance."))
        return data


def _show(field, rows) -> None:
    """Render ``field`` from plain ``(value, label)`` rows; its queryset still validates."""
    empty = [("", field.empty_label)] if getattr(field, "empty_label", None) is not None else []
    field.widget.choices = [*empty, *rows]


def fill_queue_choices(filter_form, bulk_form, user) -> tuple[list, list, list, list]:
    """The queue's filter and bulk forms list quartiers, consultations, tags and instances
    (the quartiers and instances of ``user``'s communes): each read once, as plain values
    (no model objects, no server-side cursor per list). Returns the four lists: the forms
    are drawn from nothing else."""
    etiquettes = list(Etiquette.objects.order_by("name").values_list("pk", "name"))
    quartiers = list(
        rules.quartiers_in_scope(user, Quartier.objects.order_by("position", "name")).values_list(
            "slug", "name"
        )
    )
    consultations = list(
        Consultation.objects.order_by("-opens_on", "title").values_list("slug", "title")
    )
    kinds = dict(Instance.Kind.choices)
    instances = [
        (pk, f"{name} ({kinds.get(kind, kind)})")
        for pk, name, kind in rules.instances_in_scope(user, Instance.objects.active()).values_list(
            "pk", "name", "kind"
        )
    ]
    _show(filter_form.fields["etiquette"], etiquettes)
    _show(bulk_form.fields["etiquette"], etiquettes)
    _show(filter_form.fields["quartier"], quartiers)
    _show(filter_form.fields["consultation"], consultations)
    _show(bulk_form.fields["instances"], instances)
    return etiquettes, quartiers, consultations, instances
