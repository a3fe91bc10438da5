"""Loading the shipped standards library from ``anpai/standards/data/*.json``.

Each file is one version of one standard with its clauses (our own short
paraphrases, never the standard's wording). Loading is an idempotent upsert:
a standard by ``code``, a clause by ``(standard, number)``. Only shipped rows
are written; a local standard that happens to use a shipped code is left
alone and reported as skipped.

The data migration ``standards/0002_load`` passes its historical app registry
(``apps=``) so that loading works at any point of the migration history; the
``anpai load-standards`` command uses the current models.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

# Industry codes a shipped standard may name (anpai.orgs.reference.INDUSTRIES).
INDUSTRY_CODES = frozenset(
    {
        "hazchem",
        "construction",
        "road_transport",
        "explosives",
        "culture_tourism",
        "fire_crowded",
        "metallurgy_trade",
        "gas",
        "other",
    }
)
STANDARD_KEYS = (
    "code",
    "family",
    "name",
    "issuer",
    "number",
    "version",
    "effective_from",
    "repealed_on",
    "industry",
    "source",
    "is_verified",
    "clauses",
)
CLAUSE_KEYS = ("number", "text", "makes_major", "source_ref", "is_verified")
# Standard fields copied from the file as they are (dates and industry are converted).
_PLAIN_FIELDS = ("family", "name", "issuer", "number", "version", "source", "is_verified")


class DataError(ValueError):
    """A shipped data file is malformed (a bug in the shipped data, not user input)."""


def _date(value: Any, key: str, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {key} must be YYYY-MM-DD, not {value!r}") from None


def validate(doc: dict[str, Any], where: str = "") -> list[str]:
    """The problems of one standard document (empty when it is valid)."""
    where = where or str(doc.get("code", "?"))
    problems = [f"{where}: missing key {key!r}" for key in STANDARD_KEYS if key not in doc]
    if problems:
        return problems
    try:
        start = _date(doc["effective_from"], "effective_from", where)
        end = _date(doc["repealed_on"], "repealed_on", where)
    except DataError as exc:
        return [str(exc)]
    if start is None:
        problems.append(f"{where}: effective_from is required")
    elif end is not None and end <= start:
        problems.append(f"{where}: repealed_on must be after effective_from")
    if doc["industry"] is not None and doc["industry"] not in INDUSTRY_CODES:
        problems.append(f"{where}: unknown industry {doc['industry']!r}")
    if not doc["clauses"]:
        problems.append(f"{where}: no clauses")
    numbers: set[str] = set()
    for index, clause in enumerate(doc["clauses"]):
        at = f"{where} clause {index + 1}"
        problems += [f"{at}: missing key {key!r}" for key in CLAUSE_KEYS if key not in clause]
        number = clause.get("number", "")
        if not number or len(number) > 40:
            problems.append(f"{at}: number must be 1–40 characters")
        if number in numbers:
            problems.append(f"{at}: number {number!r} appears twice")
        numbers.add(number)
        if not str(clause.get("text", "")).strip():
            problems.append(f"{at}: empty text")
    return problems


def read_documents(data_dir: Path | str | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every standard document in ``data_dir`` (sorted by file name), validated."""
    for path in sorted(Path(data_dir or DATA_DIR).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        problems = validate(doc, path.name)
        if problems:
            raise DataError("; ".join(problems))
        if doc["code"] != path.stem:
            raise DataError(f"{path.name}: code {doc['code']!r} must match the file name")
        yield path, doc


def _models(apps: Any) -> tuple[Any, Any, Any]:
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    return (
        apps.get_model("standards", "Standard"),
        apps.get_model("standards", "Clause"),
        apps.get_model("orgs", "Industry"),
    )


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``obj``; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def load_standards(data_dir: Path | str | None = None, *, apps: Any = None) -> dict[str, int]:
    """Upsert the shipped standards and their clauses; returns counts.

    Counts: ``standards`` and ``clauses`` in the files; ``created``/``updated``
    standards, ``clauses_created``/``clauses_updated``; ``skipped`` (a local
    standard holds the code). A second run over the same files creates and
    updates nothing. Clauses no longer in a file are kept (checklist items and
    hazards may point at them).
    """
    from django.db import transaction

    standard_model, clause_model, industry_model = _models(apps)
    industries = {i.code: i for i in industry_model.objects.all()}
    counts = dict.fromkeys(
        (
            "standards",
            "clauses",
            "created",
            "updated",
            "clauses_created",
            "clauses_updated",
            "skipped",
        ),
        0,
    )
    docs = list(read_documents(data_dir))
    with transaction.atomic():
        for _path, doc in docs:
            counts["standards"] += 1
            counts["clauses"] += len(doc["clauses"])
            values = {name: doc[name] for name in _PLAIN_FIELDS}
            values.update(
                notes=doc.get("notes", ""),
                effective_from=_date(doc["effective_from"], "effective_from", doc["code"]),
                repealed_on=_date(doc["repealed_on"], "repealed_on", doc["code"]),
                industry=industries.get(doc["industry"]) if doc["industry"] else None,
                region=None,
            )
            standard = standard_model.objects.filter(code=doc["code"]).first()
            if standard is not None and not standard.is_shipped:
                counts["skipped"] += 1  # a local standard: never ours to change
                continue
            if standard is None:
                standard = standard_model.objects.create(
                    code=doc["code"], is_shipped=True, **values
                )
                counts["created"] += 1
            elif _apply(standard, values):
                standard.save()
                counts["updated"] += 1
            existing = {c.number: c for c in clause_model.objects.filter(standard=standard)}
            for order, data in enumerate(doc["clauses"], start=1):
                clause_values = {
                    "text": data["text"],
                    "makes_major": bool(data["makes_major"]),
                    "source_ref": data["source_ref"],
                    "is_verified": bool(data["is_verified"]),
                    "sort_order": data.get("sort_order", order * 10),
                }
                clause = existing.get(data["number"])
                if clause is None:
                    clause_model.objects.create(
                        standard=standard, number=data["number"], **clause_values
                    )
                    counts["clauses_created"] += 1
                elif _apply(clause, clause_values):
                    clause.save()
                    counts["clauses_updated"] += 1
    return counts


def resolve_clause(ref: str, *, apps: Any = None) -> Any:
    """The clause a ``"<standard code>#<clause number>"`` reference names, or None."""
    _standard_model, clause_model, _industry = _models(apps)
    code, sep, number = ref.partition("#")
    if not sep:
        return None
    return clause_model.objects.filter(standard__code=code, number=number).first()
