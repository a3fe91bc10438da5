"""Risk scoring: LEC (D = L × E × C) and the 5 × 5 matrix (R = L × S).

Pure functions over a scheme's data (factor tables and level bands), so the
form's live preview, the action and the API compute the same thing. A
scheme's data looks like ``data/schemes.json``: ``factors`` maps each factor
name to its allowed values with their meaning, ``bands`` lists the lower bound
of each level, most severe first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anpai.core.errors import Invalid
from anpai.risks.choices import LEVEL_COLOUR, LEVEL_ORDER, Method, RiskLevel

FACTORS: dict[str, tuple[str, ...]] = {Method.LEC: ("l", "e", "c"), Method.MATRIX: ("l", "s")}


def factor_label(method: str, name: str) -> str:
    labels: dict[tuple[str, str], Any] = {
        (Method.LEC, "l"): _("L — likelihood of an accident"),
        (Method.LEC, "e"): _("E — frequency of exposure"),
        (Method.LEC, "c"): _("C — consequences"),
        (Method.MATRIX, "l"): _("L — likelihood"),
        (Method.MATRIX, "s"): _("S — severity"),
    }
    return str(labels[(method, name)])


@cache
def defaults() -> dict[str, Any]:
    """The shipped defaults (REGULATIONS.md), one entry per method."""
    path = Path(__file__).with_name("data") / "schemes.json"
    return json.loads(path.read_text(encoding="utf-8"))


def meaning(option: dict[str, str]) -> str:
    """An option's meaning in the interface language (Chinese unless English is on)."""
    lang = (get_language() or "zh-hans").lower()
    return option.get("en" if lang.startswith("en") else "zh") or option.get("zh", "")


@dataclass(frozen=True)
class Result:
    method: str
    factors: dict[str, str]
    score: Decimal
    level: str
    colour: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "factors": self.factors,
            "score": format_score(self.score),
            "level": self.level,
            "level_display": str(RiskLevel(self.level).label),
            "colour": str(self.colour),
        }


def format_score(score: Decimal) -> str:
    """540 rather than 540.00; 1.5 rather than 1.50."""
    text = format(score.normalize(), "f")
    return text


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def level_for(bands: list[dict[str, str]], score: Decimal) -> str:
    """The level whose lower bound the score reaches first, most severe first."""
    for band in bands:
        if score >= Decimal(str(band["min"])):
            return band["level"]
    return bands[-1]["level"]


def compute(method: str, values: dict[str, Any], data: dict[str, Any]) -> Result:
    """Score ``values`` (factor name → value) with a scheme's ``data``.

    Raises :class:`Invalid` naming each factor that is missing or not one of
    the scheme's values; nothing is computed from a value the table lacks.
    """
    if method not in FACTORS:
        raise Invalid(
            fields={
                "method": [
                    _("Choose a method: %(choices)s.")
                    % {"choices": ", ".join(str(m) for m in Method.values)}
                ]
            }
        )
    errors: dict[str, list[Any]] = {}
    chosen: dict[str, str] = {}
    score = Decimal(1)
    for name in FACTORS[method]:
        raw = values.get(name)
        label = factor_label(method, name)
        if raw in (None, ""):
            errors[name] = [_("%(field)s is required.") % {"field": label}]
            continue
        number = _number(raw)
        allowed = {Decimal(o["value"]): o["value"] for o in data["factors"][name]}
        if number is None or number not in allowed:
            errors[name] = [
                _("%(field)s must be one of %(values)s.")
                % {"field": label, "values": ", ".join(o["value"] for o in data["factors"][name])}
            ]
            continue
        chosen[name] = allowed[number]
        score *= number
    if errors:
        raise Invalid(fields=errors)
    level = level_for(data["bands"], score)
    return Result(method, chosen, score, level, LEVEL_COLOUR[RiskLevel(level)])


def validate(method: str, data: dict[str, Any]) -> dict[str, Any]:
    """Check a township's edited scheme; returns it normalised or raises :class:`Invalid`.

    Every factor keeps at least one positive value, each once; the four bands
    appear most severe first with strictly falling lower bounds.
    """
    errors: dict[str, list[Any]] = {}
    factors: dict[str, list[dict[str, str]]] = {}
    for name in FACTORS[method]:
        label = factor_label(method, name)
        options = (data.get("factors") or {}).get(name) or []
        seen: set[Decimal] = set()
        clean: list[dict[str, str]] = []
        for option in options:
            number = _number(option.get("value"))
            if number is None or number <= 0:
                errors.setdefault(name, []).append(
                    _("%(field)s: “%(value)s” is not a positive number.")
                    % {"field": label, "value": option.get("value", "")}
                )
                continue
            if number in seen:
                errors.setdefault(name, []).append(
                    _("%(field)s: the value %(value)s appears twice.")
                    % {"field": label, "value": option.get("value")}
                )
                continue
            seen.add(number)
            clean.append(
                {
                    "value": format_score(number),
                    "zh": str(option.get("zh", "")).strip(),
                    "en": str(option.get("en", "")).strip(),
                }
            )
        if not clean and name not in errors:
            errors[name] = [_("%(field)s needs at least one value.") % {"field": label}]
        clean.sort(key=lambda o: Decimal(o["value"]), reverse=True)
        factors[name] = clean
    bands_in = data.get("bands") or []
    levels = [b.get("level") for b in bands_in]
    bands: list[dict[str, str]] = []
    if levels != [str(level) for level in LEVEL_ORDER]:
        errors["bands"] = [_("Give a lower bound for each of the four levels, most severe first.")]
    else:
        previous: Decimal | None = None
        for band in bands_in:
            number = _number(band.get("min"))
            if number is None or number < 0:
                errors.setdefault("bands", []).append(
                    _("The lower bound of “%(level)s” must be a number of at least 0.")
                    % {"level": RiskLevel(band["level"]).label}
                )
                continue
            if previous is not None and number >= previous:
                errors.setdefault("bands", []).append(
                    _("The lower bound of “%(level)s” must be below the one above it.")
                    % {"level": RiskLevel(band["level"]).label}
                )
            previous = number
            bands.append({"level": band["level"], "min": format_score(number)})
    if errors:
        raise Invalid(fields=errors)
    return {"factors": factors, "bands": bands}


def band_ranges(bands: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each band with its range as text (“≥ 320”, “160–320”: from the lower bound up to,
    not including, the next), for legends and forms."""
    rows = []
    upper: str | None = None
    for band in bands:
        low = band["min"]
        text = f"≥ {low}" if upper is None else f"{low}–{upper}"
        rows.append(
            {
                "level": band["level"],
                "label": str(RiskLevel(band["level"]).label),
                "colour": str(LEVEL_COLOUR[RiskLevel(band["level"])]),
                "min": low,
                "range": text,
            }
        )
        upper = low
    return rows
