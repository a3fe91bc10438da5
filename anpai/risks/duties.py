"""Inspection duties generated from control measures (filled in below)."""


def sync(organization_id: int) -> None:
    """Placeholder until the duties generator lands."""
