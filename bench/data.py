"""Generating hazards for the benchmark: the demo township, then bulk inserts."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

from django.utils import timezone

from bench import fake

BATCH = 5000


def build(scale: int, password: str) -> None:
    """Migrate, build the demo township (``scale`` copies) and drop its own hazards,
    so the counts the benchmark names are the counts in the database."""
    from django.core.management import call_command

    from anpai.demo.build import build_demo
    from anpai.hazards.models import Attachment, Event, Extension, Hazard

    call_command("migrate", verbosity=0)
    build_demo(password=password, scale=scale)
    Event.objects.all().delete()
    Attachment.objects.all().delete()
    Extension.objects.all().delete()
    Hazard.objects.all().delete()


def org_table(path: Path) -> tuple[list, list[list[str]], str]:
    """The organisations hazards go to (enterprises and places), written to ``path``
    as [name, village, industry] for the bare baseline; and the verifier's name."""
    from anpai.orgs.choices import OrgKind
    from anpai.orgs.models import Organization
    from anpai.people.models import User

    orgs = list(
        Organization.objects.filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.PLACE])
        .select_related("region")
        .prefetch_related("industries")
        .order_by("id")
    )
    rows = []
    for org in orgs:
        industries = list(org.industries.all())
        org._bench_industry = industries[0] if industries else None
        rows.append([org.name, org.region.name, industries[0].name if industries else ""])
    verifier = User.objects.get(username="township")
    path.write_text(json.dumps({"orgs": rows, "verifier": verifier.get_full_name()}))
    return orgs, rows, verifier.get_full_name()


def _aware(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def top_up(target: int, orgs: list, today: date) -> int:
    """Insert hazards until there are ``target``; returns how many were added."""
    from anpai.hazards.models import Category, Hazard
    from anpai.hazards.reference import ensure_categories
    from anpai.people.models import User

    ensure_categories()
    categories = list(Category.objects.order_by("id"))
    reporter = User.objects.get(username="ent1safety")
    verifier = User.objects.get(username="township")
    start = Hazard.objects.count()
    for first in range(start, target, BATCH):
        batch = []
        for i in range(first, min(first + BATCH, target)):
            v = fake.hazard(i, today)
            org = orgs[i % len(orgs)]
            batch.append(
                Hazard(
                    number=v["number"],
                    organization=org,
                    place=v["place"],
                    title=v["title"],
                    description=v["description"],
                    category=categories[i % len(categories)],
                    industry=org._bench_industry,
                    level=v["level"],
                    source=v["source"],
                    finder="检查组",
                    found_at=_aware(v["found"]),
                    reported_by=reporter,
                    state=v["state"],
                    responsible_name=v["responsible_name"],
                    measures=v["measures"],
                    funds=v["funds"],
                    deadline=v["deadline"],
                    original_deadline=v["deadline"],
                    contingency=v["contingency"],
                    assigned_at=_aware(v["found"]) if v["deadline"] else None,
                    rectified_at=_aware(v["rectified"]),
                    verified_at=_aware(v["verified"]),
                    verified_by=verifier if v["verified"] else None,
                )
            )
        Hazard.objects.bulk_create(batch, batch_size=1000)
    _analyze()
    return max(0, target - start)


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
