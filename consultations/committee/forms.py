"""Forms of the committee's pages: séances, agenda, answers. French messages next to fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.territory.models import Commune

from .. import rules
from ..models import AgendaItem, Decision, Expression, Seance
from . import services as committee


class SeanceForm(forms.ModelForm):
    class Meta:
        model = Seance
        fields = ["instance", "title", "starts_at", "place", "agenda_notes"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "agenda_notes": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "starts_at": {
                "required": _("Indiquez la date et l'heure de la séance."),
                "invalid": _("Écrivez la date et l'heure ainsi : 14/03/2026 18:00."),
            },
            "place": {"required": _("Indiquez le lieu de la séance.")},
            "instance": {
                "required": _("Choisissez l'instance qui se réunit."),
                "invalid_choice": _("Vous ne siégez pas dans cette instance."),
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y",
        ]
        if self.instance.pk:
            # An agenda belongs to its instance: the instance of a séance never changes.
            del self.fields["instance"]
        else:
            instances = rules.instances_run_by(user).order_by("name")
            self.fields["instance"].queryset = instances
            self.fields["instance"].empty_label = _("Choisissez…")
            # Most members sit in one instance: it is chosen for them.
            only = list(instances.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                self.initial.setdefault("instance", only[0])

    def clean_place(self):
        place = self.cleaned_data["place"].strip()
        if not place:
            raise forms.ValidationError(_("Indiquez le lieu de la séance."))
        return place


class AgendaAddForm(forms.Form):
    GROUP = "groupe"
    ALONE = "seules"

    expressions = forms.ModelMultipleChoiceField(
        label=_("Expressions à mettre à l'ordre du jour"),
        queryset=Expression.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins une expression à mettre à l'ordre du jour."),
            "invalid_choice": _(
                "Une des expressions cochées n'est plus en attente pour cette instance : "
                "rechargez la page."
            ),
            "invalid_pk_value": _("Cette expression n'existe pas."),
        },
    )
    group_title = forms.CharField(
        label=_("Intitulé du groupe"),
        max_length=200,
        required=False,
        help_text=_("Pour en faire un seul point, auquel une seule réponse sera donnée."),
    )
    mode = forms.ChoiceField(
        choices=[(ALONE, _("Un point par expression")), (GROUP, _("Un seul point groupé"))],
        initial=ALONE,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expressions"].queryset = candidates

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.GROUP and not (cleaned.get("group_title") or "").strip():
            self.add_error(
                "group_title", _("Donnez un intitulé au groupe : les habitant·es le liront.")
            )
        return cleaned


class GroupForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label=_("Points à regrouper"),
        queryset=AgendaItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins deux points à regrouper."),
            "invalid_choice": _("Un des points cochés a déjà sa réponse : rechargez la page."),
        },
    )
    title = forms.CharField(
        label=_("Intitulé du groupe"),
        max_length=200,
        error_messages={"required": _("Donnez un intitulé au groupe : les habitant·es le liront.")},
    )

    def __init__(self, *args, seance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = seance.items.filter(reponse__isnull=True)

    def clean_items(self):
        items = self.cleaned_data["items"]
        if len(items) < 2:
            raise forms.ValidationError(_("Cochez au moins deux points à regrouper."))
        return items


class ReponseForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision de l'instance"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez la décision de l'instance."),
            "invalid_choice": _("Choisissez une des quatre décisions."),
        },
    )
    text = forms.CharField(
        label=_("Réponse aux habitant·es"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=committee.ANSWER_MAX_LENGTH,
        help_text=_(
            "En mots simples : ce qui va se passer, quand, et qui s'en occupe. "
            "Chaque auteur·rice la reçoit et la lit sur le suivi de son expression."
        ),
        error_messages={
            "required": _(
                "Écrivez la réponse aux habitant·es : ce qui va se passer, quand, "
                "et qui s'en occupe."
            ),
            "max_length": _("La réponse ne doit pas dépasser %(limit_value)d caractères."),
        },
    )
    public = forms.BooleanField(
        label=_("Publier la réponse sur « Vous avez dit, nous avons fait »"),
        required=False,
        initial=True,
        help_text=_(
            "Décochez pour une réponse que seul·es les auteur·rices liront. Les expressions "
            "privées ne sont jamais montrées, et les auteur·rices anonymes restent anonymes."
        ),
    )


class BilanForm(forms.Form):
    annee = forms.IntegerField(
        label=_("Année"),
        min_value=2000,
        max_value=2100,
        required=False,
        error_messages={
            "invalid": _("Écrivez une année : 2026."),
            "min_value": _("Choisissez une année du contrat de ville."),
            "max_value": _("Choisissez une année du contrat de ville."),
        },
    )


class RevueForm(BilanForm):
    """The annual review's chooser: a year, and one of the communes ``user`` may review
    (``rules.review_communes``: a référent given communes, hers only)."""

    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une commune de la liste.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = rules.review_communes(
            user, Commune.objects.order_by("name")
        )

    def names_a_commune_out_of_reach(self) -> bool:
        """Whether the commune asked for exists but is not one ``user`` may review."""
        slug = self.data.get("commune")
        return (
            bool(slug) and "commune" in self.errors and Commune.objects.filter(slug=slug).exists()
        )
