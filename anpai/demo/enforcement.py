"""Demo data for enforcement (filled in with its pages)."""

from __future__ import annotations

from anpai.orgs.models import Organization


def build_enforcement(
    units: list[Organization],
    *,
    township_org: Organization,
    committees: list[Organization],
    seed: int,
) -> int:
    """Create the demo's rows; returns how many top-level rows were made."""
    return 0
