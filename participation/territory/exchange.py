"""A commune's whole referential as one JSON document: the format by which a commune of the
agglomeration, or any commune that signed an « Engagements Quartiers 2030 » convention, brings
its own (docs/referentiel.md, schema in docs/referentiel.schema.json).

``export_document`` writes it; ``import_document`` checks it whole (size, encoding, JSON, the
schema, the references between its parts, what the platform already holds) and refuses it
with every problem named in French by its path (« quartiers[2].indicateurs[0].annee : … »)
before anything is written. A commune new to the platform is then loaded at once; one that is
already there goes through the plan of differences of ``referentiel`` (shown, written only
when asked), as a new version of the data files would. Either way in one transaction, each
row in the referential's history, and the import in the audit log.
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import jsonschema
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.audit.services import record

from .models import Agglomeration, Avenant, Commune, Enjeu, Finding, Objectif, Quartier
from .referentiel import LoadReport, Referentiel, load_commune

FORMAT = "engagements-quartiers-2030/referentiel"
VERSION = 1
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "referentiel.schema.json"
MAX_BYTES = 2 * 1024 * 1024
YEARS = (1990, 2100)

# The document's lists of findings, by kind.
FINDING_LISTS = {
    "irritants": Finding.Kind.IRRITANT,
    "opportunites": Finding.Kind.OPPORTUNITE,
    "enjeux_prioritaires": Finding.Kind.ENJEU_PRIORITAIRE,
}


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def find_commune(identifier: str) -> Commune | None:
    """The commune named by its slug or its name (any case)."""
    return Commune.objects.filter(Q(slug=identifier) | Q(name__iexact=identifier)).first()


# --- Export ------------------------------------------------------------------------------


def objectif_key(objectif: Objectif) -> str:
    """The stable key of an objective: its wording in the files it was first loaded from; for
    one added in the platform, its wording when exported (the importing platform keeps it)."""
    return objectif.file_key or objectif.intercommunal


def _figure(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def export_document(commune: Commune) -> dict:
    """Commune ``commune``'s whole referential, in the format's order (a constant number of
    queries): the quartiers it carries and everything they hold."""
    quartiers = list(
        Quartier.objects.filter(commune=commune)
        .order_by("position", "name")
        .prefetch_related("communes", "indicators", "findings", "objectifs__enjeu")
    )
    associated = {c.slug: c for q in quartiers for c in q.communes.all() if c.pk != commune.pk}
    # The enjeux of the contrat de ville, common to every commune of the platform.
    enjeux = Enjeu.objects.order_by("number")
    in_commune = Avenant.objects.filter(changes__quartier__commune=commune).values("pk")
    elsewhere = Avenant.objects.filter(changes__quartier__isnull=False).values("pk")
    avenants = Avenant.objects.filter(Q(pk__in=in_commune) | ~Q(pk__in=elsewhere))
    agglomeration = Agglomeration.objects.get(pk=commune.agglomeration_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "agglomeration": {
            "sigle": agglomeration.short_name,
            "nom": agglomeration.name,
            "quartiers_fragiles": agglomeration.quartiers_count,
            "qpv": agglomeration.qpv_count,
            "qic": agglomeration.qic_count,
            "communes": agglomeration.communes_count,
        },
        "commune": {"slug": commune.slug, "nom": commune.name},
        "communes_associees": [
            {"slug": c.slug, "nom": c.name} for c in sorted(associated.values(), key=_slug)
        ],
        "enjeux": [
            {"numero": e.number, "intitule": e.title, "en_mots_simples": e.plain_title}
            for e in enjeux
        ],
        "quartiers": [_export_quartier(q) for q in quartiers],
        "avenants": [
            {
                "date": a.signed_on.isoformat(),
                "intitule": a.title,
                "texte": a.text,
                "en_cours": a.in_progress,
            }
            for a in avenants.order_by("signed_on", "title", "pk")
        ],
    }


def _slug(commune: Commune) -> str:
    return commune.slug


def _export_quartier(quartier: Quartier) -> dict:
    findings: dict[str, list[str]] = {name: [] for name in FINDING_LISTS}
    names = {kind: name for name, kind in FINDING_LISTS.items()}
    for finding in sorted(quartier.findings.all(), key=lambda f: (f.kind, f.position)):
        findings[names[finding.kind]].append(finding.text)
    objectifs = sorted(quartier.objectifs.all(), key=lambda o: (o.enjeu.number, o.position))
    return {
        "code": quartier.code,
        "slug": quartier.slug,
        "nom": quartier.name,
        "nom_court": quartier.short_name,
        "statut": quartier.status,
        "communes": sorted(c.slug for c in quartier.communes.all()),
        "population": quartier.population,
        "population_approximative": quartier.population_approximate,
        "evolution_population": quartier.population_trend,
        "surface_ha": quartier.surface_ha,
        "source_portrait": quartier.statistics_source,
        "presentation": quartier.summary,
        "indicateurs": [
            {
                "cle": i.key,
                "libelle": i.label,
                "libelle_court": i.short_label,
                "valeur": _figure(i.value),
                "valeur_agglomeration": _figure(i.agglomeration_value),
                "unite": i.unit,
                "source": i.source,
                "annee": i.year,
            }
            for i in sorted(quartier.indicators.all(), key=lambda i: (i.position, i.pk))
        ],
        "constats": findings,
        "objectifs": [
            {
                "cle": objectif_key(o),
                "enjeu": o.enjeu.number,
                "orientation": o.orientation,
                "intercommunal": o.intercommunal,
                "operationnel": o.operationnel,
                "retire_le": o.retired_on.isoformat() if o.retired_on else None,
                "motif_retrait": o.retired_reason,
            }
            for o in objectifs
        ],
    }


def dumps(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def filename(commune: Commune) -> str:
    return f"referentiel-{commune.slug}.json"


# --- Reading and checking ----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    where: str  # the JSON path (« quartiers[2].indicateurs[0].annee ») or « ligne 3, colonne 5 »
    message: str

    def __str__(self) -> str:
        return f"{self.where} : {self.message}" if self.where else self.message


class DocumentRefused(Exception):
    """The document is refused whole; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def path_of(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("document")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    seen = set()
    for key, _value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen.add(key)
    return dict(pairs)


def _no_constant(name):
    raise ValueError(_("« %(name)s » n'est pas un nombre accepté") % {"name": name})


def parse(data: bytes) -> dict:
    """The JSON object in ``data``, or DocumentRefused for a file too big, not UTF-8, not JSON."""
    if len(data) > MAX_BYTES:
        raise DocumentRefused(
            [
                Problem(
                    "",
                    _("le fichier pèse %(size).1f Mo : un référentiel ne dépasse pas %(max)s Mo")
                    % {"size": len(data) / 1024 / 1024, "max": MAX_BYTES // 1024 // 1024},
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentRefused(
            [
                Problem(
                    "",
                    _(
                        "le fichier n'est pas en UTF-8 (octet %(position)s illisible) : "
                        "enregistrez-le en UTF-8"
                    )
                    % {"position": error.start + 1},
                )
            ]
        ) from None
    try:
        document = json.loads(
            text, parse_float=Decimal, object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except json.JSONDecodeError as error:
        raise DocumentRefused(
            [
                Problem(
                    _("ligne %(line)s, colonne %(column)s")
                    % {"line": error.lineno, "column": error.colno},
                    _("JSON mal formé (%(reason)s)") % {"reason": _json_reason(error.msg)},
                )
            ]
        ) from None
    except RecursionError:
        raise DocumentRefused(
            [
                Problem(
                    "", _("le document imbrique trop de listes ou d'objets les uns dans les autres")
                )
            ]
        ) from None
    except _DuplicateKey as error:
        raise DocumentRefused(
            [
                Problem(
                    "",
                    _("le champ « %(name)s » est écrit deux fois dans le même objet")
                    % {"name": error.args[0]},
                )
            ]
        ) from None
    except ValueError as error:
        raise DocumentRefused([Problem("", str(error))]) from None
    if not isinstance(document, dict):
        raise DocumentRefused([Problem(_("document"), _("doit être un objet JSON ({ … })"))])
    return document


_JSON_REASONS = {
    "Expecting value": gettext_lazy("une valeur est attendue"),
    "Expecting property name enclosed in double quotes": gettext_lazy(
        "un nom de champ entre guillemets est attendu"
    ),
    "Expecting ',' delimiter": gettext_lazy("une virgule est attendue"),
    "Expecting ':' delimiter": gettext_lazy("deux-points sont attendus"),
    "Unterminated string starting at": gettext_lazy("texte sans guillemet de fin"),
    "Extra data": gettext_lazy("du texte suit la fin du document"),
    "Invalid control character at": gettext_lazy("caractère de contrôle dans un texte"),
}


def _json_reason(message: str) -> str:
    return str(_JSON_REASONS.get(message, message))


_TYPES = {
    "string": gettext_lazy("un texte"),
    "integer": gettext_lazy("un nombre entier"),
    "number": gettext_lazy("un nombre"),
    "boolean": gettext_lazy("true ou false"),
    "array": gettext_lazy("une liste [ … ]"),
    "object": gettext_lazy("un objet { … }"),
    "null": "null",
}


def _schema_problems(document: dict) -> list[Problem]:
    defs = schema()["$defs"]
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    for error in validator.iter_errors(document):
        problems.extend(_translate(error, defs))
    return problems


def _translate(error, defs) -> list[Problem]:
    path = list(error.absolute_path)
    where = path_of(path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        # One error per missing field, each naming them all: _sorted keeps one of each.
        return [
            Problem(path_of([*path, name]), _("champ obligatoire manquant"))
            for name in expected
            if name not in instance
        ]
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        return [
            Problem(path_of([*path, name]), _("champ inconnu de ce format"))
            for name in instance
            if name not in known
        ]
    if kind == "const" and path == ["format"]:
        message = _(
            "doit valoir « %(format)s » : ce fichier n'est pas un référentiel de ce format"
        ) % {"format": FORMAT}
    elif kind == "const" and path == ["version"]:
        message = _(
            "version « %(version)s » non prise en charge : cette plateforme lit la version "
            "%(supported)s"
        ) % {"version": instance, "supported": VERSION}
    elif kind == "const":
        message = _("doit valoir « %(value)s »") % {"value": expected}
    elif kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        message = _("doit être %(types)s") % {
            "types": _(" ou ").join(str(_TYPES.get(t, t)) for t in types)
        }
    elif kind == "minLength" and expected == 1:
        message = _("ne doit pas être vide")
    elif kind == "maxLength":
        message = _("dépasse %(max)s caractères (%(length)s)") % {
            "max": expected,
            "length": len(instance),
        }
    elif kind in ("minimum", "maximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        if path and path[-1] == "annee":
            message = _("doit être une année entre %(low)s et %(high)s")
        else:
            message = _("doit être compris entre %(low)s et %(high)s")
        message %= {"low": low, "high": high}
    elif kind == "pattern" and expected == defs["slug"]["pattern"]:
        message = _(
            "« %(value)s » : doit s'écrire en minuscules sans accents, chiffres et tirets "
            "(par exemple « cite-5 »)"
        ) % {"value": instance}
    elif kind in ("pattern", "anyOf") and path and path[-1] in ("date", "retire_le"):
        message = (
            _("doit être une date écrite AAAA-MM-JJ entre %(low)s et %(high)s, ou null")
            if kind == "anyOf"
            else _("doit être une date écrite AAAA-MM-JJ entre %(low)s et %(high)s")
        ) % {"low": YEARS[0], "high": YEARS[1]}
    elif kind == "minItems":
        message = _("la liste ne doit pas être vide")
    elif kind == "uniqueItems":
        message = _("la liste contient deux fois la même valeur")
    else:
        message = _("valeur refusée (%(reason)s)") % {"reason": error.message}
    return [Problem(where, message)]


def _dicts(value) -> list[tuple[int, dict]]:
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _reference_problems(document: dict) -> list[Problem]:
    """What the schema cannot say: unique keys, references between parts, figures' precision,
    real dates. Written to read a document the schema refused too, so every problem shows."""
    problems: list[Problem] = []

    def once(seen: set, key, where: str, what: str) -> None:
        try:
            hash(key)
        except TypeError:  # a list or an object where a key belongs: the schema said so
            return
        if key in seen:
            problems.append(
                Problem(where, _("%(what)s en double dans le document") % {"what": what})
            )
        seen.add(key)

    commune = document.get("commune") if isinstance(document.get("commune"), dict) else {}
    slugs = {commune.get("slug")}
    seen: set = set()
    for i, other in _dicts(document.get("communes_associees")):
        where = f"communes_associees[{i}].slug"
        if other.get("slug") == commune.get("slug"):
            problems.append(Problem(where, _("c'est la commune du document elle-même")))
        once(seen, other.get("slug"), where, _("commune « %s »") % other.get("slug"))
        slugs.add(other.get("slug"))

    numbers: set = set()
    for i, enjeu in _dicts(document.get("enjeux")):
        once(
            numbers, enjeu.get("numero"), f"enjeux[{i}].numero", _("enjeu %s") % enjeu.get("numero")
        )

    codes: set = set()
    quartier_slugs: set = set()
    for i, quartier in _dicts(document.get("quartiers")):
        at = f"quartiers[{i}]"
        once(
            codes,
            quartier.get("code"),
            f"{at}.code",
            _("code de quartier « %s »") % quartier.get("code"),
        )
        once(
            quartier_slugs,
            quartier.get("slug"),
            f"{at}.slug",
            _("slug « %s »") % quartier.get("slug"),
        )
        communes = quartier.get("communes")
        for j, slug in enumerate(communes if isinstance(communes, list) else []):
            if isinstance(slug, str) and slug not in slugs:
                problems.append(
                    Problem(
                        f"{at}.communes[{j}]",
                        _(
                            "commune « %(slug)s » inconnue : elle doit être la commune du "
                            "document ou l'une des communes_associees"
                        )
                        % {"slug": slug},
                    )
                )
        keys: set = set()
        for j, indicator in _dicts(quartier.get("indicateurs")):
            once(
                keys,
                indicator.get("cle"),
                f"{at}.indicateurs[{j}].cle",
                _("clé « %s »") % indicator.get("cle"),
            )
            for name in ("valeur", "valeur_agglomeration"):
                value = indicator.get(name)
                if isinstance(value, Decimal) and value.normalize().as_tuple().exponent < -1:
                    problems.append(
                        Problem(
                            f"{at}.indicateurs[{j}].{name}",
                            _("%(value)s : un chiffre au plus après la virgule") % {"value": value},
                        )
                    )
        objectif_keys: set = set()
        known = ", ".join(str(n) for n in sorted(n for n in numbers if isinstance(n, int)))
        for j, objectif in _dicts(quartier.get("objectifs")):
            where = f"{at}.objectifs[{j}]"
            number = objectif.get("enjeu")
            if isinstance(number, int) and number not in numbers:
                problems.append(
                    Problem(
                        f"{where}.enjeu",
                        _(
                            "enjeu %(number)s inconnu : il doit être l'un des enjeux du "
                            "document (%(numbers)s)"
                        )
                        % {"number": number, "numbers": known or _("aucun")},
                    )
                )
            once(
                objectif_keys,
                (number, objectif.get("cle")),
                f"{where}.cle",
                _("clé d'objectif (enjeu %s)") % number,
            )
            retired_on = objectif.get("retire_le")
            if retired_on is not None and isinstance(retired_on, str) and _date(retired_on) is None:
                problems.append(
                    Problem(
                        f"{where}.retire_le",
                        _("« %s » n'est pas une date du calendrier") % retired_on,
                    )
                )
            if retired_on and not objectif.get("motif_retrait"):
                problems.append(
                    Problem(f"{where}.motif_retrait", _("obligatoire pour un objectif retiré"))
                )
            if not retired_on and objectif.get("motif_retrait"):
                problems.append(
                    Problem(
                        f"{where}.retire_le",
                        _("manque : le motif de retrait est donné sans date"),
                    )
                )
    avenants: set = set()
    for i, avenant in _dicts(document.get("avenants")):
        value = avenant.get("date")
        if isinstance(value, str) and value[:1].isdigit() and _date(value) is None:
            problems.append(
                Problem(f"avenants[{i}].date", _("« %s » n'est pas une date du calendrier") % value)
            )
        once(
            avenants,
            (value, avenant.get("intitule")),
            f"avenants[{i}].intitule",
            _("avenant (même date, même intitulé)"),
        )
    return problems


def _platform_problems(document: dict) -> list[Problem]:
    """What the document may not change in the platform: quartiers of another commune, a name
    taken under another address, the enjeux shared by every commune."""
    problems = []
    slug = document["commune"]["slug"]
    quartiers = document["quartiers"]
    existing = list(
        Quartier.objects.filter(
            Q(code__in=[q["code"] for q in quartiers]) | Q(slug__in=[q["slug"] for q in quartiers])
        ).select_related("commune")
    )
    for i, quartier in enumerate(quartiers):
        code = quartier["code"]
        for other in existing:
            if quartier["code"] != other.code and quartier["slug"] != other.slug:
                continue
            if other.code == code and other.commune.slug != slug:
                problems.append(
                    Problem(
                        f"quartiers[{i}].code",
                        _(
                            "le quartier %(code)s existe déjà sur la plateforme, porté par la "
                            "commune %(commune)s"
                        )
                        % {"code": code, "commune": other.commune.name},
                    )
                )
            elif other.code != code:
                problems.append(
                    Problem(
                        f"quartiers[{i}].slug",
                        _("« %(slug)s » est déjà l'adresse du quartier %(name)s (%(code)s)")
                        % {"slug": quartier["slug"], "name": other.name, "code": other.code},
                    )
                )
    communes = [
        ("commune", document["commune"]),
        *[(f"communes_associees[{i}]", c) for i, c in enumerate(document["communes_associees"])],
    ]
    names = {
        c.name.casefold(): c
        for c in Commune.objects.filter(name__in=[c["nom"] for _where, c in communes])
    }
    for where, commune in communes:
        other = names.get(commune["nom"].casefold())
        if other is not None and other.slug != commune["slug"]:
            problems.append(
                Problem(
                    f"{where}.nom",
                    _(
                        "la commune %(name)s existe déjà sur la plateforme sous l'adresse "
                        "« %(slug)s »"
                    )
                    % {"name": other.name, "slug": other.slug},
                )
            )
    enjeux = {e.number: e for e in Enjeu.objects.all()}
    for i, enjeu in enumerate(document["enjeux"]):
        existing = enjeux.get(enjeu["numero"])
        if existing is not None and existing.title != enjeu["intitule"]:
            problems.append(
                Problem(
                    f"enjeux[{i}].intitule",
                    _(
                        "l'enjeu %(number)s de la plateforme s'intitule « %(title)s » : les "
                        "enjeux sont communs à toutes ses communes et se modifient dans la "
                        "plateforme"
                    )
                    % {"number": existing.number, "title": existing.title},
                )
            )
    return problems


def read_document(data: bytes) -> dict:
    """The document in ``data``, checked whole; DocumentRefused lists every problem."""
    document = parse(data)
    problems = _schema_problems(document)
    problems += _reference_problems(document)
    if problems:
        raise DocumentRefused(_sorted(problems))
    problems = _platform_problems(document)
    if problems:
        raise DocumentRefused(problems)
    return document


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: _order(p.where))


def _order(where: str) -> tuple:
    """Problems in the document's order: « quartiers[10] » after « quartiers[9] »."""
    parts: list = []
    for chunk in where.replace("]", "").replace("[", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)


def to_referentiel(document: dict) -> Referentiel:
    """The checked document as the loader reads the data files."""
    ref = Referentiel()
    agglomeration = document["agglomeration"]
    short_name = agglomeration["sigle"]
    ref.agglomerations[short_name] = {
        "name": agglomeration["nom"],
        "quartiers_count": agglomeration["quartiers_fragiles"],
        "qpv_count": agglomeration["qpv"],
        "qic_count": agglomeration["qic"],
        "communes_count": agglomeration["communes"],
    }
    for commune in [document["commune"], *document["communes_associees"]]:
        ref.communes[commune["slug"]] = {"name": commune["nom"], "agglomeration": short_name}
    for enjeu in document["enjeux"]:
        ref.enjeux[enjeu["numero"]] = {
            "title": enjeu["intitule"],
            "plain_title": enjeu["en_mots_simples"],
        }
    for position, quartier in enumerate(document["quartiers"], 1):
        code = quartier["code"]
        ref.quartier_communes[code] = quartier["communes"]
        ref.quartiers[code] = {
            "slug": quartier["slug"],
            "name": quartier["nom"],
            "short_name": quartier["nom_court"],
            "status": quartier["statut"],
            "commune": document["commune"]["slug"],
            "population": quartier["population"],
            "population_approximate": quartier["population_approximative"],
            "population_trend": quartier["evolution_population"],
            "surface_ha": quartier["surface_ha"],
            "statistics_source": quartier["source_portrait"],
            "summary": quartier["presentation"],
            "position": position,
        }
        for n, indicator in enumerate(quartier["indicateurs"], 1):
            ref.indicators[(code, indicator["cle"])] = {
                "label": indicator["libelle"],
                "short_label": indicator["libelle_court"],
                "value": Decimal(indicator["valeur"]),
                "agglomeration_value": Decimal(indicator["valeur_agglomeration"]),
                "unit": indicator["unite"],
                "source": indicator["source"],
                "year": indicator["annee"],
                "position": n,
            }
        for name, kind in FINDING_LISTS.items():
            for n, text in enumerate(quartier["constats"][name], 1):
                ref.findings[(code, kind, n)] = {"text": text}
        positions: Counter = Counter()
        for objectif in quartier["objectifs"]:
            number = objectif["enjeu"]
            positions[number] += 1
            ref.objectifs[(code, number, objectif["cle"])] = {
                "orientation": objectif["orientation"],
                "intercommunal": objectif["intercommunal"],
                "operationnel": objectif["operationnel"],
                "retired_on": _date(objectif["retire_le"]),
                "retired_reason": objectif["motif_retrait"],
                "position": positions[number],
            }
    for avenant in document["avenants"]:
        ref.avenants[(_date(avenant["date"]), avenant["intitule"])] = {
            "text": avenant["texte"],
            "in_progress": avenant["en_cours"],
        }
    return ref


# --- Import ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    commune: str  # its name
    new: bool  # the commune had no quartier on the platform: loaded at once
    report: LoadReport


def import_document(
    data: bytes, *, actor=None, apply: bool | None = None, source: str = ""
) -> ImportResult:
    """Check ``data`` whole, then load it (DocumentRefused: nothing written).

    ``apply=None``: a commune new to the platform is loaded; for one already there, the
    differences are only reported (as ``load_referentiel`` does with the data files), and
    written with ``apply=True``. ``source`` (the file's name) goes in the audit entry.
    """
    document = read_document(data)
    ref = to_referentiel(document)
    slug = document["commune"]["slug"]
    new = not Quartier.objects.filter(commune__slug=slug).exists()
    with transaction.atomic():
        report = load_commune(ref, slug, apply=new if apply is None else apply, actor=actor)
        if report.applied and report.changes:
            record(
                actor=actor,
                action="referentiel.import",
                target=Commune.objects.get(slug=slug),
                after={
                    "fichier": source,
                    **dict(sorted(report.counts.items())),
                },
                reason=_("Import du référentiel de %(commune)s")
                % {"commune": document["commune"]["nom"]},
            )
    return ImportResult(commune=document["commune"]["nom"], new=new, report=report)
