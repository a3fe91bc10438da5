"""The rules of GB 30871-2022 as data, and the pure checks the actions apply.

``data/permit_rules.json`` holds the defaults: per operation type its levels
(validity, the break after which a new gas analysis is needed, the approval
chain), whether a gas analysis is required, its measures checklist and its
source; the gas limits; the approval steps and the roles that may sign each.
A township may adjust them (``PermitRules``, versioned); a permit keeps a copy
of the level it was approved under.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anpai.core.errors import Invalid
from anpai.permits.choices import PermitType

HOT_WORK_AREAS = ("live_equipment", "hazardous_area", "other")
HOT_WORK_BASE = {"live_equipment": "special", "hazardous_area": "1", "other": "2"}
RAISE = {"2": "1", "1": "special", "special": "special"}


@cache
def defaults() -> dict[str, Any]:
    path = Path(__file__).with_name("data") / "permit_rules.json"
    return json.loads(path.read_text(encoding="utf-8"))


def text(entry: dict[str, Any]) -> str:
    """An entry's name in the interface language."""
    lang = (get_language() or "zh-hans").lower()
    return str(entry.get("en" if lang.startswith("en") else "zh") or entry.get("zh", ""))


def type_rule(data: dict[str, Any], type_code: str) -> dict[str, Any]:
    for rule in data["types"]:
        if rule["code"] == type_code:
            return rule
    raise Invalid(fields={"type": [_("Unknown operation type.")]})


def level_rule(data: dict[str, Any], type_code: str, level: str) -> dict[str, Any]:
    for rule in type_rule(data, type_code)["levels"]:
        if rule["code"] == level:
            return rule
    raise Invalid(
        fields={"level": [_("This operation type has no level “%(level)s”.") % {"level": level}]}
    )


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(
            fields={field: [_("%(field)s must be a number.") % {"field": label}]}
        ) from None
    if not number.is_finite():
        raise Invalid(fields={field: [_("%(field)s must be a number.") % {"field": label}]})
    return number


def derive_level(type_code: str, answers: dict[str, Any]) -> str:
    """The level the answers call for.

    Hot work: in live equipment (带压不置换) 特级, in a hazardous area 一级,
    elsewhere 二级; at night or on a holiday one level higher. Work at height:
    by height (2–5 m I, 5–15 m II, 15–30 m III, above IV). Lifting: by mass
    (over 100 t 一级, 40–100 t 二级, under 40 t 三级). Other types have one level.
    """
    if type_code == PermitType.HOT_WORK:
        area = answers.get("area")
        if area not in HOT_WORK_AREAS:
            raise Invalid(
                fields={
                    "area": [
                        _(
                            "Say where the hot work is: in live equipment, "
                            "in a hazardous area, or elsewhere."
                        )
                    ]
                }
            )
        level = HOT_WORK_BASE[area]
        if answers.get("night_or_holiday"):
            level = RAISE[level]
        return level
    if type_code == PermitType.HEIGHT:
        height = _decimal(answers.get("height_m"), "height_m", _("Working height (m)"))
        if height < 2:
            raise Invalid(
                fields={
                    "height_m": [_("Work below 2 m is not work at height and needs no permit.")]
                }
            )
        if height <= 5:
            return "I"
        if height <= 15:
            return "II"
        if height <= 30:
            return "III"
        return "IV"
    if type_code == PermitType.LIFTING:
        mass = _decimal(answers.get("mass_t"), "mass_t", _("Mass of the load (t)"))
        if mass <= 0:
            raise Invalid(fields={"mass_t": [_("The mass of the load must be above 0 t.")]})
        if mass > 100:
            return "1"
        if mass >= 40:
            return "2"
        return "3"
    if type_code in PermitType.values:
        return "single"
    raise Invalid(fields={"type": [_("Unknown operation type.")]})


def check_window(rule: dict[str, Any], start: datetime | None, end: datetime | None) -> None:
    """The planned window must be given, end after start, and fit the level's validity."""
    errors: dict[str, list[Any]] = {}
    if start is None:
        errors["planned_start"] = [_("%(field)s is required.") % {"field": _("Planned start")}]
    if end is None:
        errors["planned_end"] = [_("%(field)s is required.") % {"field": _("Planned end")}]
    if errors:
        raise Invalid(fields=errors)
    assert start is not None
    assert end is not None
    if end <= start:
        raise Invalid(
            fields={"planned_end": [_("The planned end must be after the planned start.")]}
        )
    limit = timedelta(hours=int(rule["validity_hours"]))
    if end - start > limit:
        raise Invalid(
            fields={
                "planned_end": [
                    _(
                        "A %(level)s permit is valid for at most %(hours)d hours; "
                        "this window is %(asked)s hours."
                    )
                    % {
                        "level": text(rule),
                        "hours": int(rule["validity_hours"]),
                        "asked": f"{(end - start).total_seconds() / 3600:g}",
                    }
                ]
            }
        )


def judge_gas(
    data: dict[str, Any],
    *,
    type_code: str,
    medium_lel: Decimal | None,
    combustible: Decimal | None,
    o2: Decimal | None,
    toxic: dict[str, Any],
) -> list[str]:
    """What in an analysis fails the limits; an empty list is a pass.

    Combustibles: with the medium's lower explosive limit at 4 % or more the
    measured concentration may be at most 0.5 % by volume, below 4 % at most
    0.2 % (an unknown LEL takes the stricter limit). Oxygen 19.5–21 % where it
    is required (confined space) or given. Toxic gases against their limits.
    """
    limits = data["gas_limits"]
    failures: list[str] = []
    if combustible is None:
        failures.append(_("No combustible gas reading."))
    else:
        lel = medium_lel if medium_lel is not None else Decimal(0)
        bands = sorted(limits["combustible"], key=lambda b: Decimal(b["lel_from"]), reverse=True)
        allowed = next(Decimal(b["max_percent"]) for b in bands if lel >= Decimal(b["lel_from"]))
        if combustible > allowed:
            failures.append(
                _("Combustible gas %(value)s %% exceeds %(limit)s %% (by volume).")
                % {"value": combustible, "limit": allowed}
            )
    if o2 is None:
        if type_code == PermitType.CONFINED_SPACE:
            failures.append(_("No oxygen reading (required in a confined space)."))
    else:
        low, high = Decimal(limits["o2_min"]), Decimal(limits["o2_max"])
        if not (low <= o2 <= high):
            failures.append(
                _("Oxygen %(value)s %% is outside %(low)s–%(high)s %%.")
                % {"value": o2, "low": low, "high": high}
            )
    for gas, value in sorted(toxic.items()):
        limit = limits["toxic_mg_m3"].get(gas)
        if limit is not None and Decimal(str(value)) > Decimal(limit):
            failures.append(
                _("%(gas)s %(value)s mg/m³ exceeds %(limit)s mg/m³.")
                % {"gas": gas, "value": value, "limit": limit}
            )
    return failures
