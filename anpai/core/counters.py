"""Gap-free serial numbers: one counter row per series, locked while a number is taken."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction


def next_serial(model: type[models.Model], **series: Any) -> int:
    """The next number of the series ``series`` names, counted in ``model.last``.

    Call inside the transaction that stores the numbered thing: the row lock
    makes concurrent callers wait their turn, and a rolled-back caller gives its
    number back, so numbers are never skipped or given twice. The series' row is
    created in a savepoint: two first numbers racing to create it meet on the
    unique constraint, and the loser then waits on the winner's lock.
    """
    try:
        with transaction.atomic():
            model._default_manager.get_or_create(**series)
    except IntegrityError:
        pass
    counter = model._default_manager.select_for_update().get(**series)
    counter.last += 1  # type: ignore[attr-defined]
    counter.save(update_fields=["last"])
    return counter.last  # type: ignore[attr-defined]
