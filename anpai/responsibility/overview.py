"""The township's view of its leaders' lists for a year: per leader, each list's items
done out of total and average progress, and whether the self-review is in.

Built from three aggregate queries whatever the number of leaders and items (the
lists with their item counts, the leaders without lists, the self-reviews), for the
page and its xlsx export alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q

from anpai.core import access
from anpai.orgs.choices import OrgKind
from anpai.people.choices import Role
from anpai.responsibility.actions import LEADER_ROLES, LIST_ORG_KINDS, PERIODS, RESOURCE
from anpai.responsibility.choices import ItemStatus, ListKind
from anpai.responsibility.models import LeaderList, SelfReview

ROLE_ORDER = {Role.TOWNSHIP_LEADER: 0, Role.TOWNSHIP_OFFICER: 1, Role.VILLAGE_OFFICER: 2}


@dataclass
class ListCell:
    """One list of one leader: its id, items done out of total, average % done."""

    kind: str
    pk: int | None = None
    total: int = 0
    done: int = 0
    percent: int = 0

    @property
    def exists(self) -> bool:
        return self.pk is not None

    @property
    def label(self) -> str:
        return str(ListKind(self.kind).label)


@dataclass
class ReviewCell:
    period: str
    submitted_at: datetime | None
    pk: int

    @property
    def period_label(self) -> str:
        return str(PERIODS.get(self.period, self.period))


@dataclass
class LeaderRow:
    organization_id: int
    organization_name: str
    organization_kind: str
    leader_id: int
    leader_name: str
    post: str = ""
    role_rank: int = 9
    cells: dict[str, ListCell] = field(default_factory=dict)
    reviews: list[ReviewCell] = field(default_factory=list)

    @property
    def lists(self) -> list[ListCell]:
        return [self.cells.setdefault(k, ListCell(kind=k)) for k in ListKind.values]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells.values())

    @property
    def done(self) -> int:
        return sum(c.done for c in self.cells.values())

    @property
    def percent(self) -> int:
        """Average % done over all the leader's items."""
        weighted = sum(c.percent * c.total for c in self.cells.values())
        return round(weighted / self.total) if self.total else 0

    @property
    def submitted(self) -> list[ReviewCell]:
        return [r for r in self.reviews if r.submitted_at is not None]

    @property
    def drafts(self) -> list[ReviewCell]:
        return [r for r in self.reviews if r.submitted_at is None]

    @property
    def has_lists(self) -> bool:
        return any(c.exists for c in self.cells.values())


def overview(user, action: str, year: int, organization=None) -> list[LeaderRow]:
    """The rows of the overview for ``year`` (of one ``organization``, else all the
    user may ``action``): leaders with lists, then the leaders of the same
    organisations without any, each with their self-reviews of the year."""
    lists_qs = LeaderList.objects.restrict(user, action).filter(year=year)
    if organization is not None:
        lists_qs = lists_qs.filter(organization=organization)
    rows: dict[tuple[int, int], LeaderRow] = {}
    aggregated = (
        lists_qs.order_by()
        .values(
            "pk",
            "organization_id",
            "organization__name",
            "organization__kind",
            "leader_id",
            "leader__full_name",
            "leader__username",
            "kind",
            "post",
        )
        .annotate(
            total=Count("items"),
            done=Count("items", filter=Q(items__status=ItemStatus.DONE)),
            avg=Avg("items__progress"),
        )
    )
    for a in aggregated:
        key = (a["organization_id"], a["leader_id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = LeaderRow(
                organization_id=a["organization_id"],
                organization_name=a["organization__name"],
                organization_kind=a["organization__kind"],
                leader_id=a["leader_id"],
                leader_name=a["leader__full_name"] or a["leader__username"],
            )
        if a["post"] and (not row.post or a["kind"] == ListKind.DUTY):
            row.post = a["post"]
        row.cells[a["kind"]] = ListCell(
            kind=a["kind"],
            pk=a["pk"],
            total=a["total"],
            done=a["done"],
            percent=round(a["avg"] or 0),
        )

    # The leaders of the same organisations (in scope, filtered) who have no lists yet.
    from anpai.people.models import Membership

    scope = access.scope_q(user, RESOURCE, action, org_path="organization")
    if scope is not None:
        members = Membership.objects.filter(
            scope,
            role__in=LEADER_ROLES,
            organization__kind__in=LIST_ORG_KINDS,
            user__is_active=True,
        )
        if organization is not None:
            members = members.filter(organization=organization)
        for m in members.values(
            "organization_id",
            "organization__name",
            "organization__kind",
            "user_id",
            "user__full_name",
            "user__username",
            "role",
        ):
            key = (m["organization_id"], m["user_id"])
            rank = ROLE_ORDER.get(m["role"], 9)
            row = rows.get(key)
            if row is None:
                row = rows[key] = LeaderRow(
                    organization_id=m["organization_id"],
                    organization_name=m["organization__name"],
                    organization_kind=m["organization__kind"],
                    leader_id=m["user_id"],
                    leader_name=m["user__full_name"] or m["user__username"],
                )
            row.role_rank = min(row.role_rank, rank)

    reviews = SelfReview.objects.restrict(user, action).filter(year=year).order_by("period", "pk")
    if organization is not None:
        reviews = reviews.filter(organization=organization)
    for r in reviews.values("pk", "organization_id", "leader_id", "period", "submitted_at"):
        row = rows.get((r["organization_id"], r["leader_id"]))
        if row is not None:
            row.reviews.append(ReviewCell(r["period"], r["submitted_at"], r["pk"]))

    return sorted(
        rows.values(),
        key=lambda r: (
            0 if r.organization_kind == OrgKind.TOWNSHIP else 1,
            r.organization_name,
            r.role_rank,
            r.leader_name,
        ),
    )


def totals(rows: list[LeaderRow]) -> dict[str, Any]:
    with_lists = [r for r in rows if r.has_lists]
    items = sum(r.total for r in rows)
    done = sum(r.done for r in rows)
    return {
        "leaders": len(with_lists),
        "items": items,
        "done": done,
        "percent": round(sum(r.percent * r.total for r in rows) / items) if items else 0,
        "reviewed": sum(1 for r in with_lists if r.submitted),
        "missing": sum(1 for r in with_lists if not r.submitted),
    }


def latest_submitted(rows: list[LeaderRow]) -> datetime | None:
    stamps = [r.submitted_at for row in rows for r in row.submitted if r.submitted_at]
    return max(stamps) if stamps else None
