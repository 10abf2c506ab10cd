"""Read the referential's data files (participation/territory/data/) and compare them with,
or load them into, the database.

The files are the source only of the first load. From then on the referential belongs to the
commune and lives in the database, where the référent edits it (services.py, with its
history). ``load_referentiel`` then computes the difference with the files, matching rows by
natural key, and writes it only when asked (``apply=True``), in one transaction, and even then:

- a field the référent changed in the platform keeps her value, a row she added stays;
- a row the files no longer hold is deleted only if nothing outside the referential points at
  it (expressions, events, consultations, accounts…): an objective still named is retired
  from today instead, a quartier, commune or enjeu still used is kept.

Every error of the files names the file and the line.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from . import services
from .figures import parse_french_decimal
from .models import (
    Agglomeration,
    Avenant,
    Commune,
    Enjeu,
    Finding,
    Indicator,
    Objectif,
    Quartier,
    ReferentielChange,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

# Positions above this are parking places while objective rows change places.
_PARKING = 10_000


class ReferentielError(Exception):
    """A malformed data file; the message names the file and the line."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path.name}, ligne {line}" if line else path.name
        super().__init__(f"{where} : {message}")


@dataclass
class Row:
    path: Path
    line: int
    cells: dict[str, str]

    def error(self, message: str) -> ReferentielError:
        return ReferentielError(self.path, self.line, message)

    def text(self, column: str, model: type[models.Model], field_name: str, required=True) -> str:
        value = self.cells[column]
        if required and not value:
            raise self.error(f"la colonne « {column} » est vide")
        max_length = model._meta.get_field(field_name).max_length
        if max_length and len(value) > max_length:
            raise self.error(
                f"« {column} » dépasse {max_length} caractères ({len(value)}) : « {value[:40]}… »"
            )
        return value

    def integer(self, column: str) -> int:
        value = self.cells[column]
        if not value.isdigit():
            raise self.error(f"« {column} » doit être un nombre entier, pas « {value} »")
        return int(value)

    def decimal(self, column: str) -> Decimal:
        value = self.cells[column]
        try:
            return parse_french_decimal(value)
        except ValueError:
            raise self.error(
                f"« {column} » doit être un nombre écrit à la française (45,4), pas « {value} »"
            ) from None

    def boolean(self, column: str) -> bool:
        value = self.cells[column].lower()
        if value not in {"oui", "non"}:
            raise self.error(f"« {column} » doit valoir « oui » ou « non », pas « {value} »")
        return value == "oui"


def read_rows(path: Path, columns: list[str]) -> list[Row]:
    """The records of a TSV file: comments (#) and blank lines skipped, header checked."""
    if not path.is_file():
        raise ReferentielError(path, None, "fichier introuvable")
    rows: list[Row] = []
    header_seen = False
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
            for cells in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in cells) or cells[0].startswith("#"):
                    continue
                if not header_seen:
                    if cells != columns:
                        raise ReferentielError(
                            path,
                            line,
                            f"en-tête inattendu : colonnes attendues {', '.join(columns)}",
                        )
                    header_seen = True
                    continue
                if len(cells) != len(columns):
                    raise ReferentielError(
                        path,
                        line,
                        f"{len(cells)} colonnes au lieu de {len(columns)} "
                        f"({', '.join(columns)}), séparées par des tabulations",
                    )
                rows.append(
                    Row(path, line, {c: v.strip() for c, v in zip(columns, cells, strict=True)})
                )
    except UnicodeDecodeError as error:
        raise ReferentielError(path, None, f"le fichier n'est pas en UTF-8 ({error})") from None
    if not header_seen:
        raise ReferentielError(path, None, "fichier vide : la ligne d'en-tête manque")
    return rows


@dataclass
class Referentiel:
    """Everything the data files say, checked, ready to load."""

    agglomerations: dict[str, dict] = field(default_factory=dict)
    communes: dict[str, dict] = field(default_factory=dict)
    enjeux: dict[int, dict] = field(default_factory=dict)
    quartiers: dict[str, dict] = field(default_factory=dict)
    quartier_communes: dict[str, list[str]] = field(default_factory=dict)
    indicators: dict[tuple[str, str], dict] = field(default_factory=dict)
    findings: dict[tuple[str, str, int], dict] = field(default_factory=dict)
    objectifs: dict[tuple[str, int, str], dict] = field(default_factory=dict)
    # Only a commune's document (exchange.py) carries its avenants, by (date, title).
    avenants: dict[tuple, dict] = field(default_factory=dict)


def _unique(seen: set, key, row: Row, what: str) -> None:
    if key in seen:
        raise row.error(f"{what} en double")
    seen.add(key)


def read_referentiel(data_dir: Path = DATA_DIR) -> Referentiel:
    data_dir = Path(data_dir)
    ref = Referentiel()

    for row in read_rows(
        data_dir / "agglomeration.tsv",
        ["short_name", "name", "quartiers_count", "qpv_count", "qic_count", "communes_count"],
    ):
        short_name = row.text("short_name", Agglomeration, "short_name")
        _unique(set(ref.agglomerations), short_name, row, f"agglomération « {short_name} »")
        ref.agglomerations[short_name] = {
            "name": row.text("name", Agglomeration, "name"),
            **{
                c: row.integer(c)
                for c in ("quartiers_count", "qpv_count", "qic_count", "communes_count")
            },
        }

    names: set[str] = set()
    for row in read_rows(data_dir / "communes.tsv", ["slug", "name", "agglomeration"]):
        slug = row.text("slug", Commune, "slug")
        name = row.text("name", Commune, "name")
        _unique(set(ref.communes), slug, row, f"commune « {slug} »")
        _unique(names, name, row, f"commune « {name} »")
        agglomeration = row.cells["agglomeration"]
        if agglomeration not in ref.agglomerations:
            raise row.error(f"agglomération inconnue « {agglomeration} » (voir agglomeration.tsv)")
        ref.communes[slug] = {"name": name, "agglomeration": agglomeration}

    for row in read_rows(data_dir / "enjeux.tsv", ["number", "title", "plain_title"]):
        number = row.integer("number")
        _unique(set(ref.enjeux), number, row, f"enjeu {number}")
        ref.enjeux[number] = {
            "title": row.text("title", Enjeu, "title"),
            "plain_title": row.text("plain_title", Enjeu, "plain_title", required=False),
        }

    slugs: set[str] = set()
    quartier_columns = [
        "code",
        "slug",
        "name",
        "short_name",
        "status",
        "commune",
        "communes",
        "population",
        "population_approximate",
        "population_trend",
        "surface_ha",
        "statistics_source",
        "summary",
    ]
    for position, row in enumerate(read_rows(data_dir / "quartiers.tsv", quartier_columns), 1):
        code = row.text("code", Quartier, "code")
        slug = row.text("slug", Quartier, "slug")
        _unique(set(ref.quartiers), code, row, f"quartier « {code} »")
        _unique(slugs, slug, row, f"slug de quartier « {slug} »")
        communes = [c.strip() for c in row.cells["communes"].split(",") if c.strip()]
        for commune in [row.cells["commune"], *communes]:
            if commune not in ref.communes:
                raise row.error(f"commune inconnue « {commune} » (voir communes.tsv)")
        if not communes:
            raise row.error("la colonne « communes » est vide")
        ref.quartier_communes[code] = communes
        ref.quartiers[code] = {
            "slug": slug,
            "name": row.text("name", Quartier, "name"),
            "short_name": row.text("short_name", Quartier, "short_name"),
            "status": row.text("status", Quartier, "status"),
            "commune": row.cells["commune"],
            "population": row.integer("population"),
            "population_approximate": row.boolean("population_approximate"),
            "population_trend": row.text(
                "population_trend", Quartier, "population_trend", required=False
            ),
            "surface_ha": row.integer("surface_ha"),
            "statistics_source": row.text(
                "statistics_source", Quartier, "statistics_source", required=False
            ),
            "summary": row.text("summary", Quartier, "summary", required=False),
            "position": position,
        }

    def quartier_of(row: Row) -> str:
        code = row.cells["quartier"]
        if code not in ref.quartiers:
            raise row.error(f"quartier inconnu « {code} » (voir quartiers.tsv)")
        return code

    positions: Counter = Counter()
    indicator_columns = [
        "quartier",
        "key",
        "value",
        "agglomeration_value",
        "unit",
        "short_label",
        "label",
    ]
    for row in read_rows(data_dir / "indicateurs.tsv", indicator_columns):
        code = quartier_of(row)
        key = row.text("key", Indicator, "key")
        _unique(set(ref.indicators), (code, key), row, f"indicateur « {key} » du quartier {code}")
        positions[code] += 1
        ref.indicators[(code, key)] = {
            "label": row.text("label", Indicator, "label"),
            "short_label": row.text("short_label", Indicator, "short_label", required=False),
            "value": row.decimal("value"),
            "agglomeration_value": row.decimal("agglomeration_value"),
            "unit": row.text("unit", Indicator, "unit", required=False),
            "position": positions[code],
        }

    kinds = dict(Finding.Kind.choices)
    positions = Counter()
    for row in read_rows(data_dir / "constats.tsv", ["quartier", "kind", "text"]):
        code = quartier_of(row)
        kind = row.cells["kind"]
        if kind not in kinds:
            raise row.error(f"nature inconnue « {kind} » (attendu : {', '.join(kinds)})")
        positions[(code, kind)] += 1
        position = positions[(code, kind)]
        ref.findings[(code, kind, position)] = {"text": row.text("text", Finding, "text")}

    positions = Counter()
    orientations: dict[tuple[str, int], str] = {}
    for row in read_rows(
        data_dir / "objectifs.tsv",
        ["quartier", "enjeu", "orientation", "intercommunal", "operationnel"],
    ):
        code = quartier_of(row)
        number = row.integer("enjeu")
        if number not in ref.enjeux:
            raise row.error(f"enjeu inconnu « {number} » (voir enjeux.tsv)")
        table = (code, number)
        # The table rule: an empty first column continues the previous row's orientation.
        orientation = row.text("orientation", Objectif, "orientation", required=False)
        orientation = orientation or orientations.get(table, "")
        if not orientation:
            raise row.error(
                f"la première ligne du tableau de l'enjeu {number} du quartier {code} "
                "doit nommer son orientation"
            )
        orientations[table] = orientation
        intercommunal = row.text("intercommunal", Objectif, "intercommunal")
        _unique(
            set(ref.objectifs),
            (code, number, intercommunal),
            row,
            f"objectif « {intercommunal[:40]}… » (enjeu {number}, quartier {code})",
        )
        positions[table] += 1
        ref.objectifs[(code, number, intercommunal)] = {
            "orientation": orientation,
            "operationnel": row.text("operationnel", Objectif, "operationnel", required=False),
            "position": positions[table],
        }
    return ref


@dataclass
class Difference:
    """One row of the difference between the database and the files, as the command prints it."""

    sign: str  # « + » to create, « ~ » to update, « - » absent from the files, « = » kept
    what: str
    details: str = ""

    def __str__(self) -> str:
        return f"  {self.sign} {self.what}" + (f" : {self.details}" if self.details else "")


@dataclass
class LoadReport:
    first_load: bool = False
    applied: bool = False
    differences: list[Difference] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, sign: str, what: str, details: str = "", count: str = "") -> None:
        self.differences.append(Difference(sign, what, details))
        if count:
            self.counts[count] += 1

    @property
    def changes(self) -> list[Difference]:
        """What applying would write (the rows kept as they are aside)."""
        return [d for d in self.differences if d.sign != "="]


CREATED, UPDATED, DELETED, RETIRED, KEPT = (
    "créés",
    "mis à jour",
    "supprimés",
    "objectifs retirés",
    "gardés",
)
_CHILDREN = (Indicator, Finding, ReferentielChange)


def _referenced(obj: models.Model) -> bool:
    """Whether anything outside the referential's own rows points at ``obj``: expressions,
    events, consultations, accounts… (the apps are not named: participation never imports
    them). A quartier's indicators and findings go with it; its objectives count."""
    for relation in obj._meta.related_objects:
        if relation.related_model in _CHILDREN:
            continue
        related = relation.related_model._base_manager.filter(**{relation.field.name: obj})
        if relation.related_model is Objectif and relation.on_delete is models.CASCADE:
            if any(_referenced(child) for child in related):
                return True
        elif related.exists():
            return True
    return False


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


class _Loader:
    """The one plan of differences between a referential read from files and the database.

    ``scope`` (a commune's slug) limits it to one commune, for a commune's document: only its
    quartiers and what hangs from them are compared, kept or removed; the rows it shares with
    other communes (agglomeration, the other communes it names, enjeux) are created when
    missing and otherwise left as they are. Such a load always writes its history, in the
    name of ``actor``, and matches the rows added in the platform by the keys its export gave
    them (the document came from a platform).
    """

    def __init__(
        self, ref: Referentiel, report: LoadReport, apply: bool, *, scope=None, actor=None
    ):
        self.ref, self.report, self.apply = ref, report, apply
        self.scope, self.actor = scope, actor
        self.edited = {} if report.first_load else services.edited_fields()

    def shared(self, model, key) -> bool:
        """A row a commune's document may create but never change."""
        if self.scope is None:
            return False
        return model is not Commune or key != self.scope

    def scoped(self, queryset, lookup: str = "quartier__commune__slug"):
        return queryset if self.scope is None else queryset.filter(**{lookup: self.scope})

    def added_here(self, model_name: str, pk) -> bool:
        return self.scope is None and "*" in self.edited.get((model_name, pk), set())

    def name(self, model) -> str:
        return str(model._meta.verbose_name)

    def sync(self, model, obj, values: dict, what: str) -> None:
        """Report (and, applying, write) the fields of ``obj`` that differ from ``values``."""
        edited = self.edited.get((model._meta.model_name, obj.pk), set())
        changed, kept = {}, []
        for name, value in values.items():
            current = getattr(obj, name)
            if current == value:
                continue
            label = str(model._meta.get_field(name).verbose_name)
            if name in edited:
                kept.append(
                    f"{label} modifié dans la plateforme, gardé (fichiers : « {_fmt(value)} »)"
                )
            else:
                changed[name] = (label, current, value)
        if kept:
            self.report.add("=", what, " ; ".join(kept), KEPT)
        if not changed:
            return
        self.report.add(
            "~",
            what,
            " ; ".join(
                f"{label} : « {_fmt(before)} » → « {_fmt(after)} »"
                for label, before, after in changed.values()
            ),
            UPDATED,
        )
        if self.apply:
            fields = []
            for name, (label, _before, after) in changed.items():
                before_text = services.display(obj, name)
                setattr(obj, name, after)
                fields.append(
                    {
                        "field": name,
                        "label": label,
                        "before": before_text,
                        "after": services.display(obj, name),
                    }
                )
            obj.save(update_fields=list(changed))
            self.history(obj, ReferentielChange.Action.MODIFICATION, fields)

    def create(self, model, what: str, **values):
        self.report.add("+", what, "absent de la base", CREATED)
        if not self.apply:
            return None
        obj = model.objects.create(**values)
        self.history(obj, ReferentielChange.Action.CREATION, [])
        return obj

    def history(self, obj, action, fields) -> None:
        if self.scope is not None or not self.report.first_load:
            services.record_change(
                actor=self.actor,
                action=action,
                target=obj,
                fields=fields,
                origin=ReferentielChange.Origin.FICHIERS,
            )

    def remove(self, obj, what: str) -> None:
        """A row the files no longer hold: deleted only if nothing points at it."""
        model = type(obj)
        if "*" in self.edited.get((model._meta.model_name, obj.pk), set()):
            self.report.add("=", what, "ajouté dans la plateforme, gardé", KEPT)
            return
        if not _referenced(obj):
            self.report.add("-", what, "absent des fichiers, supprimé", DELETED)
            if self.apply:
                self.history(obj, ReferentielChange.Action.SUPPRESSION, [])
                obj.delete()
            return
        if model is Objectif:
            if obj.is_retired():
                self.report.add("=", what, "absent des fichiers, déjà retiré", KEPT)
                return
            self.report.add(
                "-",
                what,
                "absent des fichiers mais déjà utilisé : retiré à partir d'aujourd'hui",
                RETIRED,
            )
            if self.apply:
                fields = services.field_changes(
                    obj,
                    {
                        "retired_on": timezone.localdate(),
                        "retired_reason": "Retiré des fichiers du référentiel",
                    },
                )
                obj.save(update_fields=["retired_on", "retired_reason"])
                self.history(obj, ReferentielChange.Action.RETRAIT, fields)
            return
        self.report.add("=", what, "absent des fichiers mais déjà utilisé, gardé", KEPT)

    def load(self) -> None:
        ref = self.ref
        agglomerations = {a.short_name: a for a in Agglomeration.objects.all()}
        for short_name, values in ref.agglomerations.items():
            what = f"agglomération « {short_name} »"
            if short_name in agglomerations:
                if self.shared(Agglomeration, short_name):
                    continue
                self.sync(Agglomeration, agglomerations[short_name], values, what)
            else:
                agglomerations[short_name] = self.create(
                    Agglomeration, what, short_name=short_name, **values
                )

        communes = {c.slug: c for c in Commune.objects.all()}
        for slug, values in ref.communes.items():
            values = {**values, "agglomeration": agglomerations[values["agglomeration"]]}
            what = f"commune « {values['name']} »"
            if slug in communes:
                if self.shared(Commune, slug):
                    continue
                self.sync(Commune, communes[slug], values, what)
            else:
                communes[slug] = self.create(Commune, what, slug=slug, **values)

        enjeux = {e.number: e for e in Enjeu.objects.all()}
        for number, values in ref.enjeux.items():
            what = f"enjeu {number}"
            if number in enjeux:
                if self.shared(Enjeu, number):
                    continue
                self.sync(Enjeu, enjeux[number], values, what)
            else:
                enjeux[number] = self.create(Enjeu, what, number=number, **values)

        quartiers = {q.code: q for q in Quartier.objects.prefetch_related("communes")}
        for code, values in ref.quartiers.items():
            values = {**values, "commune": communes[values["commune"]]}
            what = f"quartier « {values['name']} » ({code})"
            quartier = quartiers.get(code)
            if quartier is None:
                quartier = quartiers[code] = self.create(Quartier, what, code=code, **values)
            else:
                self.sync(Quartier, quartier, values, what)
            wanted = set(ref.quartier_communes[code])
            if quartier is not None and {c.slug for c in quartier.communes.all()} != wanted:
                if quartier.pk and {c.slug for c in quartier.communes.all()}:
                    self.report.add(
                        "~", what, f"communes concernées : {', '.join(sorted(wanted))}", UPDATED
                    )
                if self.apply:
                    quartier.communes.set([communes[slug] for slug in sorted(wanted)])

        self._load_rows(
            Indicator,
            ref.indicators,
            key=lambda i: (i.quartier.code, i.key),
            what=lambda key, values: f"chiffre « {values.get('label', key[1])} » ({key[0]})",
            create=lambda key, values: {"quartier": quartiers.get(key[0]), "key": key[1], **values},
        )
        self._load_rows(
            Finding,
            ref.findings,
            key=lambda f: (f.quartier.code, f.kind, f.position),
            what=lambda key, values: f"constat « {values['text'][:60]} » ({key[0]})",
            create=lambda key, values: {
                "quartier": quartiers.get(key[0]),
                "kind": key[1],
                "position": key[2],
                **values,
            },
        )
        self._load_objectifs(quartiers, enjeux)
        if self.scope is not None:
            self._load_avenants()
            removable = [(self.scoped(Quartier.objects, "commune__slug"), ref.quartiers, "code")]
        else:
            removable = [
                (Quartier.objects, ref.quartiers, "code"),
                (Enjeu.objects, ref.enjeux, "number"),
                (Commune.objects, ref.communes, "slug"),
                (Agglomeration.objects, ref.agglomerations, "short_name"),
            ]
        for queryset, rows, key_name in removable:
            for obj in queryset.exclude(**{f"{key_name}__in": list(rows)}):
                self.remove(obj, f"{self.name(queryset.model)} « {obj} »")

    def _load_avenants(self) -> None:
        """A document's avenants, matched by date and title; they are told in the import's
        audit entry (an avenant is not a row of the referential's history)."""
        existing = {(a.signed_on, a.title): a for a in Avenant.objects.all()}
        for key, values in self.ref.avenants.items():
            what = f"avenant « {key[1]} » du {key[0]:%d/%m/%Y}"
            avenant = existing.get(key)
            if avenant is None:
                self.report.add("+", what, "absent de la base", CREATED)
                if self.apply:
                    Avenant.objects.create(signed_on=key[0], title=key[1], **values)
                continue
            changed = {n: v for n, v in values.items() if getattr(avenant, n) != v}
            if changed:
                self.report.add(
                    "~",
                    what,
                    " ; ".join(
                        f"{Avenant._meta.get_field(n).verbose_name} : « {_fmt(v)} »"
                        for n, v in changed.items()
                    ),
                    UPDATED,
                )
                if self.apply:
                    Avenant.objects.filter(pk=avenant.pk).update(**changed)

    def _load_rows(self, model, rows: dict, *, key, what, create) -> None:
        existing, added_here = {}, set()
        for obj in self.scoped(model.objects.select_related("quartier")):
            if self.added_here(model._meta.model_name, obj.pk):
                added_here.add(key(obj))  # never matched with a row of the files
                self.remove(obj, what(key(obj), {"label": str(obj), "text": str(obj)}))
            else:
                existing[key(obj)] = obj
        for k, obj in existing.items():
            if k not in rows:
                self.remove(obj, what(k, {"label": getattr(obj, "label", ""), "text": str(obj)}))
        for k, values in rows.items():
            if k in existing:
                self.sync(model, existing[k], values, what(k, values))
            elif k in added_here:
                self.report.add(
                    "=",
                    what(k, values),
                    "place prise par un ajout de la plateforme, non chargé",
                    KEPT,
                )
            else:
                self.create(model, what(k, values), **create(k, values))

    def key_of(self, objectif: Objectif) -> str:
        """The key an objective is matched by: its wording in the files, or, for a document,
        the key its export gave it (exchange.objectif_key)."""
        if self.scope is None:
            return objectif.file_key
        return objectif.file_key or objectif.intercommunal

    def _load_objectifs(self, quartiers, enjeux) -> None:
        ref = self.ref
        existing: dict[tuple[str, int, str], Objectif] = {}
        extra: list[Objectif] = []
        objectifs = self.scoped(Objectif.objects.select_related("quartier", "enjeu"))
        for objectif in objectifs.order_by("pk"):
            key = (objectif.quartier.code, objectif.enjeu.number, self.key_of(objectif))
            added_here = self.added_here("objectif", objectif.pk)
            if key in ref.objectifs and key not in existing and not added_here:
                existing[key] = objectif
            else:
                extra.append(objectif)

        def what(key, objectif=None) -> str:
            text = str(objectif) if objectif else (ref.objectifs[key]["operationnel"] or key[2])
            return f"objectif « {text[:60]} » ({key[0]}, enjeu {key[1]})"

        kept = []
        for objectif in extra:
            key = (objectif.quartier.code, objectif.enjeu.number, self.key_of(objectif))
            self.remove(objectif, what(key, objectif))
            if objectif.pk is not None:  # not deleted
                kept.append(objectif)
        if self.apply:
            # Every row of a table parks first, so that no two rows ever share a position;
            # the rows kept outside the files go after those of the files.
            tables: dict = {}
            for key, objectif in existing.items():
                tables.setdefault((key[0], key[1]), []).append(objectif)
            last = Counter()
            for key, values in ref.objectifs.items():
                last[(key[0], key[1])] = max(last[(key[0], key[1])], values["position"])
            wanted = {o.pk: ref.objectifs[k]["position"] for k, o in existing.items()}
            for objectif in sorted(kept, key=lambda o: o.position):
                table = (objectif.quartier.code, objectif.enjeu.number)
                last[table] += 1
                wanted[objectif.pk] = last[table]
            moving = [o for o in [*existing.values(), *kept] if o.position != wanted[o.pk]]
            for objectif in moving:
                Objectif.objects.filter(pk=objectif.pk).update(position=_PARKING + objectif.pk)
            for objectif in kept:
                if objectif.position != wanted[objectif.pk]:
                    Objectif.objects.filter(pk=objectif.pk).update(position=wanted[objectif.pk])
                    objectif.position = wanted[objectif.pk]
            for objectif in existing.values():
                if objectif in moving:
                    objectif.position = _PARKING + objectif.pk
        for key, values in ref.objectifs.items():
            code, number, intercommunal = key
            if key in existing:
                self.sync(
                    Objectif,
                    existing[key],
                    {"intercommunal": intercommunal} | values,
                    what(key, existing[key]),
                )
            else:
                self.create(
                    Objectif,
                    what(key),
                    quartier=quartiers.get(code),
                    enjeu=enjeux.get(number),
                    file_key=intercommunal,
                    **({"intercommunal": intercommunal} | values),
                )


@transaction.atomic
def load_commune(ref: Referentiel, commune: str, *, apply: bool, actor=None) -> LoadReport:
    """Compare one commune's referential (read from its document) with the database and, if
    ``apply``, write the difference, each row in the history in the name of ``actor``."""
    report = LoadReport(first_load=not has_referentiel())
    report.applied = apply
    _Loader(ref, report, apply, scope=commune, actor=actor).load()
    return report


def has_referentiel() -> bool:
    return Quartier.objects.exists() or Objectif.objects.exists()


@transaction.atomic
def load_referentiel(data_dir: Path = DATA_DIR, *, apply: bool | None = None) -> LoadReport:
    """Compare the files with the database and, if ``apply``, write the difference.

    ``apply=None`` (the default): apply only on a database without a referential (the first
    load); on one that holds it, only report. Raises ReferentielError on a malformed file.
    """
    ref = read_referentiel(data_dir)
    report = LoadReport(first_load=not has_referentiel())
    report.applied = report.first_load if apply is None else apply
    _Loader(ref, report, report.applied).load()
    return report
