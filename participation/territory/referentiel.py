"""Read the referential's data files (participation/territory/data/) and load them into the database.

The files are the source of truth: loading makes the database hold exactly what they say,
matching rows by natural key (update in place, same ids), removing rows the files no longer
hold, all in one transaction. Every error names the file and the line.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import models, transaction

from .figures import parse_french_decimal
from .models import Agglomeration, Commune, Enjeu, Finding, Indicator, Objectif, Quartier

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
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    def count(self, model: type[models.Model], created: bool) -> None:
        (self.created if created else self.updated)[str(model._meta.verbose_name_plural)] += 1


class ReferentielInUse(Exception):
    """Removing a row that the files no longer hold would break data that points at it."""


def _delete(queryset: models.QuerySet, report: LoadReport) -> None:
    model = queryset.model
    try:
        _, per_model = queryset.delete()
    except (models.ProtectedError, models.RestrictedError) as error:
        objects = ", ".join(sorted({str(o) for o in error.args[1]})[:3])
        names = ", ".join(str(o) for o in queryset[:5])
        raise ReferentielInUse(
            f"impossible de retirer {model._meta.verbose_name_plural} « {names} » : "
            f"des données y sont rattachées ({objects}…)"
        ) from None
    if per_model.get(model._meta.label):
        report.deleted[str(model._meta.verbose_name_plural)] += per_model[model._meta.label]


@transaction.atomic
def load_referentiel(data_dir: Path = DATA_DIR) -> LoadReport:
    """Make the database hold exactly the referential of the data files, in one transaction."""
    ref = read_referentiel(data_dir)
    report = LoadReport()

    agglomerations = {}
    for short_name, values in ref.agglomerations.items():
        agglomerations[short_name], created = Agglomeration.objects.update_or_create(
            short_name=short_name, defaults=values
        )
        report.count(Agglomeration, created)

    communes = {}
    for slug, values in ref.communes.items():
        communes[slug], created = Commune.objects.update_or_create(
            slug=slug,
            defaults={**values, "agglomeration": agglomerations[values["agglomeration"]]},
        )
        report.count(Commune, created)

    enjeux = {}
    for number, values in ref.enjeux.items():
        enjeux[number], created = Enjeu.objects.update_or_create(number=number, defaults=values)
        report.count(Enjeu, created)

    # Rows the files no longer hold go first, so that they free their natural keys.
    _delete(Quartier.objects.exclude(code__in=ref.quartiers), report)
    quartiers = {}
    for code, values in ref.quartiers.items():
        quartier, created = Quartier.objects.update_or_create(
            code=code, defaults={**values, "commune": communes[values["commune"]]}
        )
        quartier.communes.set([communes[slug] for slug in ref.quartier_communes[code]])
        quartiers[code] = quartier
        report.count(Quartier, created)

    existing = {
        (i.quartier.code, i.key): i.pk for i in Indicator.objects.select_related("quartier")
    }
    _delete(
        Indicator.objects.filter(
            pk__in=[pk for k, pk in existing.items() if k not in ref.indicators]
        ),
        report,
    )
    for (code, key), values in ref.indicators.items():
        _, created = Indicator.objects.update_or_create(
            quartier=quartiers[code], key=key, defaults=values
        )
        report.count(Indicator, created)

    existing = {
        (f.quartier.code, f.kind, f.position): f.pk
        for f in Finding.objects.select_related("quartier")
    }
    _delete(
        Finding.objects.filter(pk__in=[pk for k, pk in existing.items() if k not in ref.findings]),
        report,
    )
    for (code, kind, position), values in ref.findings.items():
        _, created = Finding.objects.update_or_create(
            quartier=quartiers[code], kind=kind, position=position, defaults=values
        )
        report.count(Finding, created)

    _load_objectifs(ref, quartiers, enjeux, report)

    _delete(Commune.objects.exclude(slug__in=ref.communes), report)
    _delete(Enjeu.objects.exclude(number__in=ref.enjeux), report)
    _delete(Agglomeration.objects.exclude(short_name__in=ref.agglomerations), report)
    return report


def _load_objectifs(ref: Referentiel, quartiers, enjeux, report: LoadReport) -> None:
    # No database constraint holds the natural key (the admin may add a twin row): the
    # oldest row of a key is kept, the others go with the rows the files no longer hold.
    existing: dict[tuple[str, int, str], Objectif] = {}
    stale = []
    for objectif in Objectif.objects.select_related("quartier", "enjeu").order_by("pk"):
        key = (objectif.quartier.code, objectif.enjeu.number, objectif.intercommunal)
        if key in ref.objectifs and key not in existing:
            existing[key] = objectif
        else:
            stale.append(objectif.pk)
    _delete(Objectif.objects.filter(pk__in=stale), report)
    # A row that changes place parks first, so that no two rows ever share a position.
    for key, objectif in existing.items():
        if objectif.position != ref.objectifs[key]["position"]:
            Objectif.objects.filter(pk=objectif.pk).update(
                position=_PARKING + ref.objectifs[key]["position"]
            )
    for (code, number, intercommunal), values in ref.objectifs.items():
        _, created = Objectif.objects.update_or_create(
            quartier=quartiers[code],
            enjeu=enjeux[number],
            intercommunal=intercommunal,
            defaults=values,
        )
        report.count(Objectif, created)
