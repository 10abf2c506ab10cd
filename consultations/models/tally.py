"""Counts of published expressions per quartier and per objective, kept as they change.

The home page, the quartier pages and the expression list show how many expressions are
published (« listed »: on the public path and not private) in all, per quartier, per
objective and collected in the field. Counting them on each view meant reading every row
of the table (200,000 at the scale of the agglomeration); these rows hold the counts and
are moved by one in the same transaction as the write that changes them, with ``F()``
updates, so that concurrent writes add up instead of overwriting each other.

Every write of an expression goes through the ORM (its services, the admin, RGPD erasure),
so the counts follow the ORM's signals: a save that changes what makes an expression listed
(status, visibility, quartier, source), objectives linked or unlinked while it is listed,
and a deletion. Writes that bypass the ORM (``bulk_create``, ``COPY``, ``update()`` on those
fields) must be followed by ``manage.py recount_expressions``.

The rows are computed on the first reading that misses one (after a fresh install, a new
quartier or the generation of the bench's data), for every quartier without its row: a
missing row is never a zero.
"""

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.db.models import Count, F, Func, OuterRef, Q, Subquery, Sum
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from participation.territory.models import Objectif, Quartier

from .expression import FIELD_SOURCES, LISTED_STATUSES, Expression, Visibility


class QuartierTally(models.Model):
    quartier = models.OneToOneField(
        Quartier,
        verbose_name=_("quartier"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="expression_tally",
    )
    published = models.IntegerField(_("expressions publiées"), default=0)
    field = models.IntegerField(_("dont recueillies sur le terrain"), default=0)

    class Meta:
        verbose_name = _("compte des expressions d'un quartier")
        verbose_name_plural = _("comptes des expressions des quartiers")

    def __str__(self) -> str:
        return f"{self.quartier_id}: {self.published}"


class ObjectifTally(models.Model):
    objectif = models.OneToOneField(
        Objectif,
        verbose_name=_("objectif"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="expression_tally",
    )
    published = models.IntegerField(_("expressions publiées"), default=0)

    class Meta:
        verbose_name = _("compte des expressions d'un objectif")
        verbose_name_plural = _("comptes des expressions des objectifs")

    def __str__(self) -> str:
        return f"{self.objectif_id}: {self.published}"


# --- Reading ------------------------------------------------------------------------------


def published_total() -> int:
    """Published expressions in every quartier: one query over the quartiers' rows."""
    figures = Quartier.objects.aggregate(
        total=Sum("expression_tally__published"),
        missing=Count("pk", filter=Q(expression_tally__isnull=True)),
    )
    if figures["missing"]:
        recount(Quartier.objects.filter(expression_tally__isnull=True))
        return published_total()
    return figures["total"] or 0


def quartier_counts(quartier) -> QuartierTally:
    """The quartier's row (``published``, ``field``)."""
    tally = QuartierTally.objects.filter(quartier=quartier).first()
    if tally is None:
        # Every quartier never counted, not only this one: the other pages then read theirs.
        recount(Quartier.objects.filter(expression_tally__isnull=True))
        tally = QuartierTally.objects.get(quartier=quartier)
    return tally


def quartier_and_objectif_counts(quartier) -> tuple[QuartierTally, dict[int, int]]:
    """``quartier_counts`` and ``objectif_counts`` in one query: the quartier's row carries its
    objectives' counts (one array of ``[objectif id, count]`` pairs)."""
    if connection.vendor != "postgresql":  # arrays are PostgreSQL's: the embedded SQLite
        return quartier_counts(quartier), objectif_counts(quartier)
    pair = Func(
        F("objectif_id"),
        F("published"),
        template="ARRAY[%(expressions)s]",
        output_field=ArrayField(models.IntegerField()),
    )
    by_objectif = (
        ObjectifTally.objects.filter(objectif__quartier=OuterRef("quartier"), published__gt=0)
        .order_by()
        .values("objectif__quartier")
        .annotate(pairs=ArrayAgg(pair))
        .values("pairs")
    )
    tally = (
        QuartierTally.objects.filter(quartier=quartier)
        .annotate(objectif_pairs=Subquery(by_objectif))
        .first()
    )
    if tally is None:
        quartier_counts(quartier)  # a quartier never counted: count it, then read it
        return quartier_and_objectif_counts(quartier)
    # In the objectives' order, always: the counts are part of the portrait's key.
    return tally, dict(sorted(tally.objectif_pairs or []))


def objectif_counts(quartier) -> dict[int, int]:
    """{objectif pk: published expressions about it} for one quartier's objectives that have
    some; call ``quartier_counts`` first (it computes the rows of a quartier never counted)."""
    return dict(
        ObjectifTally.objects.filter(objectif__quartier=quartier, published__gt=0).values_list(
            "objectif_id", "published"
        )
    )


# --- Computing from the expressions (backfill, repair) ------------------------------------


def recount(quartiers=None) -> int:
    """Count again, from the expressions, the rows of ``quartiers`` (all by default)."""
    quartiers = Quartier.objects.all() if quartiers is None else quartiers
    ids = list(quartiers.values_list("pk", flat=True))
    if not ids:
        return 0
    listed = Expression.objects.listed().filter(quartier_id__in=ids)
    by_quartier = {
        row["quartier_id"]: row
        for row in listed.values("quartier_id")
        .annotate(published=Count("pk"), field=Count("pk", filter=Q(source__in=FIELD_SOURCES)))
        .order_by()
    }
    by_objectif = dict(
        Expression.objectifs.through.objects.filter(expression__in=listed)
        .values("objectif_id")
        .annotate(count=Count("expression_id"))
        .order_by()
        .values_list("objectif_id", "count")
    )
    with transaction.atomic():
        QuartierTally.objects.bulk_create(
            [
                QuartierTally(
                    quartier_id=pk,
                    published=by_quartier.get(pk, {}).get("published", 0),
                    field=by_quartier.get(pk, {}).get("field", 0),
                )
                for pk in ids
            ],
            update_conflicts=True,
            unique_fields=["quartier"],
            update_fields=["published", "field"],
        )
        ObjectifTally.objects.bulk_create(
            [
                ObjectifTally(objectif_id=pk, published=by_objectif.get(pk, 0))
                for pk in Objectif.objects.filter(quartier_id__in=ids).values_list("pk", flat=True)
            ],
            update_conflicts=True,
            unique_fields=["objectif"],
            update_fields=["published"],
        )
    return len(ids)


# --- Keeping them up to date --------------------------------------------------------------

_FOOTPRINT = ("status", "visibility", "quartier_id", "source")


def _footprint(status, visibility, quartier_id, source) -> tuple[int, bool] | None:
    """Where an expression counts: (its quartier, collected in the field), or None."""
    if status in LISTED_STATUSES and visibility != Visibility.PRIVATE:
        return quartier_id, source in FIELD_SOURCES
    return None


def _move_quartier(footprint, step: int) -> None:
    quartier_id, field = footprint
    QuartierTally.objects.filter(quartier_id=quartier_id).update(
        published=F("published") + step, field=F("field") + (step if field else 0)
    )


def _move_objectifs(objectif_ids, step: int) -> None:
    objectif_ids = set(objectif_ids)
    if not objectif_ids:
        return
    moved = ObjectifTally.objects.filter(objectif_id__in=objectif_ids).update(
        published=F("published") + step
    )
    if step < 0 or moved == len(objectif_ids):
        return
    # An objective added to the referential after its quartier was counted has no row yet:
    # it starts here. (Before its quartier is counted, the first reading counts it.)
    missing = list(
        Objectif.objects.filter(
            pk__in=objectif_ids,
            quartier__expression_tally__isnull=False,
            expression_tally__isnull=True,
        ).values_list("pk", flat=True)
    )
    if missing:
        ObjectifTally.objects.bulk_create(
            [ObjectifTally(objectif_id=pk, published=step) for pk in missing],
            ignore_conflicts=True,
        )


def _linked_objectifs(expression_id) -> list[int]:
    return list(
        Expression.objectifs.through.objects.filter(expression_id=expression_id).values_list(
            "objectif_id", flat=True
        )
    )


def _leaves_counts_alone(update_fields) -> bool:
    """A save of other fields only (« moi aussi », photo, text…): nothing to read or move."""
    return update_fields is not None and not set(update_fields) & {*_FOOTPRINT, "quartier"}


@receiver(pre_save, sender=Expression, dispatch_uid="tally_before_save")
def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._tally_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if _leaves_counts_alone(update_fields):
        return
    row = Expression.objects.filter(pk=instance.pk).values_list(*_FOOTPRINT).first()
    instance._tally_before = _footprint(*row) if row else None


@receiver(post_save, sender=Expression, dispatch_uid="tally_after_save")
def _after_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or _leaves_counts_alone(update_fields):
        return
    before = getattr(instance, "_tally_before", None)
    after = _footprint(*(getattr(instance, name) for name in _FOOTPRINT))
    instance._tally_before = after
    if before == after:
        return
    if before is not None:
        _move_quartier(before, -1)
    if after is not None:
        _move_quartier(after, +1)
    if (before is None) != (after is None):
        _move_objectifs(_linked_objectifs(instance.pk), +1 if after is not None else -1)


@receiver(m2m_changed, sender=Expression.objectifs.through, dispatch_uid="tally_objectifs")
def _objectifs_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        instance._tally_cleared = (
            list(instance.expressions.values_list("pk", flat=True))
            if reverse
            else _linked_objectifs(instance.pk)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    step = +1 if action == "post_add" else -1
    if action == "post_clear":
        pk_set = getattr(instance, "_tally_cleared", [])
    if not pk_set:
        return
    if not reverse:
        if _footprint(*(getattr(instance, name) for name in _FOOTPRINT)) is not None:
            _move_objectifs(pk_set, step)
        return
    # From the objective's side: ``pk_set`` holds expressions, counted if listed.
    listed = Expression.objects.listed().filter(pk__in=pk_set).count()
    if listed:
        _move_objectifs([instance.pk], step * listed)


@receiver(pre_delete, sender=Expression, dispatch_uid="tally_before_delete")
def _before_delete(sender, instance, **kwargs):
    footprint = _footprint(*(getattr(instance, name) for name in _FOOTPRINT))
    if footprint is not None:
        _move_quartier(footprint, -1)
        _move_objectifs(_linked_objectifs(instance.pk), -1)
