"""Forms of the référent's pages: every rule gives a French message next to its field."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.accounts import scope
from participation.accounts.models import User
from participation.territory.models import Commune, Objectif, Quartier

from ..models import Consultation, Instance

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = [
            "title",
            "slug",
            "question",
            "description",
            "quartiers",
            "objectifs",
            "opens_on",
            "closes_on",
        ]
        widgets = {
            "quartiers": forms.CheckboxSelectMultiple,
            "objectifs": forms.SelectMultiple(attrs={"size": 10}),
            "opens_on": DATE_WIDGET,
            "closes_on": DATE_WIDGET,
        }
        help_texts = {
            "slug": _("Lettres minuscules, chiffres et tirets : elle forme l'adresse de la page."),
            "objectifs": _("Facultatif. Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."),
            "opens_on": _(
                "Les habitant·es peuvent y répondre depuis ce jour. Aujourd'hui pour l'ouvrir "
                "tout de suite."
            ),
            "closes_on": _("Dernier jour pour répondre."),
        }
        error_messages = {
            "slug": {"unique": _("Une autre consultation a déjà cette adresse courte.")},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The quartiers of ``user``'s communes (participation.accounts.scope); those of other
        # communes the consultation already has stay on it, outside the form.
        quartiers = Quartier.objects.order_by("position", "name")
        if user is not None:
            quartiers = scope.by_quartier(user, quartiers, "id")
        self.fields["quartiers"].queryset = quartiers
        self.fields["quartiers"].error_messages["invalid_choice"] = _(
            "Ce quartier n'est pas dans vos communes : choisissez parmi ceux de la liste."
        )
        self.fields["objectifs"].queryset = (
            Objectif.objects.filter(quartier__in=quartiers)
            .select_related("quartier")
            .order_by("quartier__position", "enjeu__number", "position")
        )
        existing = self.instance.quartiers.all() if self.instance.pk and user else ()
        self.outside_quartiers = [q for q in existing if not scope.covers_quartier(user, q.pk)]
        outside = {quartier.pk for quartier in self.outside_quartiers}
        self.outside_objectifs = [
            objectif
            for objectif in (self.instance.objectifs.all() if outside else ())
            if objectif.quartier_id in outside
        ]
        self.fields["objectifs"].label_from_instance = lambda o: f"{o.quartier.short_name} — {o}"
        self.fields["quartiers"].error_messages["required"] = _(
            "Cochez au moins un quartier concerné."
        )
        if self.instance.pk is None:
            today = timezone.localdate()
            self.fields["opens_on"].initial = today
            self.fields["closes_on"].initial = today + dt.timedelta(days=30)

    def clean_quartiers(self):
        return [*self.cleaned_data["quartiers"], *self.outside_quartiers]

    def clean_objectifs(self):
        return [*self.cleaned_data["objectifs"], *self.outside_objectifs]

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("La date de clôture doit suivre la date d'ouverture."))
        quartiers = cleaned.get("quartiers")
        for objectif in cleaned.get("objectifs") or []:
            if quartiers is not None and objectif.quartier not in quartiers:
                self.add_error(
                    "objectifs",
                    _("« %(objectif)s » concerne %(quartier)s, qui n'est pas coché.")
                    % {"objectif": objectif, "quartier": objectif.quartier.short_name},
                )
        return cleaned


class OpenConsultationForm(forms.Form):
    """Open now, until a day the référent chooses (a closed one may be opened again)."""

    closes_on = forms.DateField(
        label=_("Ouverte jusqu'au"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Indiquez jusqu'à quel jour les habitant·es peuvent répondre."),
            "invalid": _("Écrivez la date sous la forme jj/mm/aaaa."),
        },
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["closes_on"].initial = (
            consultation.closes_on
            if consultation.closes_on >= today
            else today + dt.timedelta(days=30)
        )

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate():
            raise forms.ValidationError(_("Choisissez aujourd'hui ou un jour à venir."))
        return closes_on


class InstanceForm(forms.ModelForm):
    """An instance and the communes it reviews for: a référent given communes chooses among
    hers, at least one; a platform-wide one may leave them all unticked (the whole
    platform)."""

    class Meta:
        model = Instance
        fields = ["name", "slug", "kind", "description", "communes", "is_active"]
        widgets = {"communes": forms.CheckboxSelectMultiple}
        help_texts = {
            "slug": _("Lettres minuscules, chiffres et tirets."),
        }
        error_messages = {
            "name": {"unique": _("Une instance porte déjà ce nom.")},
            "slug": {"unique": _("Une autre instance a déjà cette adresse courte.")},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["communes"]
        mine = scope.commune_ids(user) if user is not None else None
        field.queryset = Commune.objects.order_by("name")
        field.error_messages["invalid_choice"] = _(
            "Cette commune n'est pas l'une des vôtres : choisissez parmi celles de la liste."
        )
        if mine is not None:
            field.queryset = field.queryset.filter(pk__in=mine)
            field.required = True
            field.help_text = _("Les communes pour lesquelles elle examine ; au moins une.")
            field.error_messages["required"] = _(
                "Cochez au moins une de vos communes : l'instance examine pour elle."
            )


class AddMemberForm(forms.Form):
    """A person to seat in an instance, found by the address of their account."""

    email = forms.EmailField(
        label=_("Adresse électronique du compte"),
        help_text=_("La personne doit d'abord avoir créé son compte sur la plateforme."),
        error_messages={
            "required": _("Écrivez l'adresse électronique de la personne."),
            "invalid": _("Cette adresse électronique n'est pas valide."),
        },
    )
    give_comite_role = forms.BooleanField(
        label=_("Lui donner le rôle « membre d'une instance » si elle ne l'a pas"),
        help_text=_(
            "Ce rôle lui ouvre le tableau de bord des instances ; à sa prochaine visite, elle "
            "devra activer la double authentification."
        ),
        required=False,
        initial=True,
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        account = User.objects.filter(email__iexact=email, deleted_at__isnull=True).first()
        if account is None:
            raise forms.ValidationError(
                _(
                    "Aucun compte n'a cette adresse. Demandez à la personne de créer son compte, "
                    "puis revenez ici."
                )
            )
        self.account = account
        return email
