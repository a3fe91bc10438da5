"""Every step on a leader's lists is one function here: a township officer writes a
leader's duty, task and practical-matters lists (职责清单、任务清单、办实事解难题清单);
the leader (or the township officer) records progress on an item; the leader reviews
their own performance against their lists (检视履职) and submits the review.

Each function runs in one transaction: it locks the row, checks scope (404), role
(403) and state (409), validates the input (400 naming the field, nothing changed),
saves (the audit signals record the change) and notifies. Views parse input and
call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.notifications.service import notify
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.responsibility.choices import Assessment, ItemStatus, ListKind, MatterCategory
from anpai.responsibility.models import LeaderList, ListItem, SelfReview, SelfReviewLine

RESOURCE = "responsibility.leaderlist"
PROGRESS = "progress"
SELF_REVIEW = "self_review"

# Who can hold a leader's list: township leaders and officers in the township
# government, grid officers (村干部) in a village committee.
LEADER_ROLES = (Role.TOWNSHIP_LEADER, Role.TOWNSHIP_OFFICER, Role.VILLAGE_OFFICER)
LIST_ORG_KINDS = (OrgKind.TOWNSHIP, OrgKind.VILLAGE)

# The periods a self-review covers; the stored value is the Chinese name.
PERIODS: dict[str, Any] = {
    "全年": gettext_lazy("Whole year"),
    "上半年": gettext_lazy("First half of the year"),
    "下半年": gettext_lazy("Second half of the year"),
}
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_TEXT = 2000
MAX_ITEMS = 100


def period_label(period: str) -> str:
    return str(PERIODS.get(period, period))


def leader_memberships(orgs: Iterable[int] | None = None):
    """Memberships that make someone a leader with lists (optionally in these organisations)."""
    rows = Membership.objects.filter(
        role__in=LEADER_ROLES,
        organization__kind__in=LIST_ORG_KINDS,
        user__is_active=True,
    )
    if orgs is not None:
        rows = rows.filter(organization_id__in=list(orgs))
    return rows


def is_leader_of(user: User, organization: Organization) -> bool:
    return leader_memberships([organization.pk]).filter(user=user).exists()


def township_officers(org: Organization) -> list[User]:
    """The township safety officers of the township the organisation is in."""
    township = org.township
    if township is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.TOWNSHIP_OFFICER,
            memberships__organization__kind=OrgKind.TOWNSHIP,
            memberships__organization__region=township,
        ).distinct()
    )


def _is_township_officer_on(by: User, org: Organization, action: str) -> bool:
    return Role.TOWNSHIP_OFFICER in access.roles_on(by, RESOURCE, action, org)


# ---------------------------------------------------------------- validation


def _year(value: Any, errors: dict[str, list[Any]]) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(_("Year: enter a year such as 2026."))
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors.setdefault("year", []).append(
            _("Year: must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
        return None
    return year


def _date(value: Any) -> date | bool | None:
    """A date from a form value or a date; None when blank; False when unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        return False
    return parsed or False


def clean_items(kind: str, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The items as the list will hold them: text, category, due date, optional id.

    Blank rows are skipped. A practical-matters item needs its category (the notice's
    areas: leadership team, staffing, duties, enforcement power, funding, equipment,
    information systems). Problems are raised as one ``Invalid`` naming each row.
    """
    errors: list[str] = []
    clean: list[dict[str, Any]] = []
    row = 0
    for raw in items:
        row += 1
        text = str(raw.get("text") or "").strip()
        category = str(raw.get("category") or "").strip()
        due_raw = raw.get("due_on")
        if not text:
            if raw.get("id"):
                clean.append({"id": int(raw["id"]), "delete": True})
            continue
        if len(text) > MAX_TEXT:
            errors.append(
                _("Item %(n)s: the text is longer than %(max)s characters.")
                % {"n": row, "max": MAX_TEXT}
            )
        if kind == ListKind.MATTERS and not category:
            errors.append(
                _("Item %(n)s: choose the category of this practical matter.") % {"n": row}
            )
        if category and category not in MatterCategory.values:
            errors.append(_("Item %(n)s: unknown category “%(c)s”.") % {"n": row, "c": category})
        due = _date(due_raw)
        if due is False:
            errors.append(
                _("Item %(n)s: the due date must be a date like 2026-12-31.") % {"n": row}
            )
            due = None
        entry: dict[str, Any] = {
            "text": text,
            "category": category if kind == ListKind.MATTERS else "",
            "due_on": due,
        }
        if raw.get("id"):
            try:
                entry["id"] = int(raw["id"])
            except (TypeError, ValueError):
                errors.append(_("Item %(n)s: unknown item.") % {"n": row})
        clean.append(entry)
    kept = [e for e in clean if not e.get("delete")]
    if not kept:
        errors.append(_("Items: write at least one item."))
    if len(kept) > MAX_ITEMS:
        errors.append(_("Items: at most %(max)s items in one list.") % {"max": MAX_ITEMS})
    if errors:
        raise Invalid(fields={"items": errors})
    return clean


# ---------------------------------------------------------------- lists


@transaction.atomic
def create_list(
    *,
    by: User,
    organization: Organization | int,
    leader: User | int,
    year: Any,
    kind: str,
    post: str = "",
    items: Sequence[Mapping[str, Any]] = (),
) -> LeaderList:
    """A leader's list of one kind for one year, with its items (township officers)."""
    org_pk = organization.pk if isinstance(organization, Organization) else int(organization)
    org = Organization.objects.filter(pk=org_pk).select_related("region").first()
    visible = access.scope_q(by, RESOURCE, access.VIEW, org_path="")
    if (
        org is None
        or visible is None
        or not Organization.objects.filter(visible, pk=org_pk).exists()
    ):
        raise NotFound(_("No such organisation."))
    if not access.org_allows(by, RESOURCE, access.ADD, org):
        raise Forbidden(_("Only the township's safety officers write leaders' lists."))
    errors: dict[str, list[Any]] = {}
    if org.kind not in LIST_ORG_KINDS:
        errors["organization"] = [
            _("Organisation: lists are for the township government or a village committee.")
        ]
    leader_pk = leader.pk if isinstance(leader, User) else leader
    leader_user = User.objects.filter(pk=leader_pk).first() if leader_pk else None
    if leader_user is None or not is_leader_of(leader_user, org):
        errors["leader"] = [
            _("Leader: choose a township leader, township officer or village officer of %(org)s.")
            % {"org": org.name}
        ]
    the_year = _year(year, errors)
    if kind not in ListKind.values:
        errors["kind"] = [_("List: choose the duty, task or practical-matters list.")]
    post = (post or "").strip()
    if len(post) > 60:
        errors["post"] = [_("Post: at most 60 characters.")]
    try:
        clean = clean_items(kind, items) if kind in ListKind.values else []
    except Invalid as exc:
        errors.update(exc.fields)
        clean = []
    if not errors and (
        LeaderList.objects.filter(
            leader=leader_user, organization=org, year=the_year, kind=kind
        ).exists()
    ):
        errors["kind"] = [
            _("List: %(leader)s already has a %(kind)s for %(year)s; edit that one.")
            % {
                "leader": leader_user.full_name or leader_user.username,
                "kind": ListKind(kind).label,
                "year": the_year,
            }
        ]
    if errors:
        raise Invalid(fields=errors)
    if any(e.get("id") for e in clean):
        raise Invalid(fields={"items": [_("Items: a new list has no existing items.")]})
    try:
        with transaction.atomic():
            created = LeaderList.objects.create(
                organization=org,
                leader=leader_user,
                year=the_year,
                kind=kind,
                post=post,
                created_by=by,
            )
    except IntegrityError:  # the same list written at the same moment
        raise Conflict(
            _("This list was just written by someone else; open it from the overview.")
        ) from None
    for order, entry in enumerate(clean, start=1):
        ListItem.objects.create(
            list=created,
            order=order,
            text=entry["text"],
            category=entry["category"],
            due_on=entry["due_on"],
            updated_by=by,
        )
    return created


def _lock_list(pk: int, by: User, action: str, version: int | None = None) -> LeaderList:
    if not LeaderList.objects.restrict(by, action).filter(pk=pk).exists():
        if LeaderList.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not change this list."))
        raise NotFound(_("No such list."))
    locked = (
        LeaderList.objects.select_for_update(of=("self",))
        .select_related("organization__region", "leader")
        .get(pk=pk)
    )
    if version is not None and locked.version != version:
        raise Conflict(
            _("Someone else changed this list since you opened it. Reload it and try again.")
        )
    return locked


@transaction.atomic
def edit_list(
    pk: int,
    *,
    by: User,
    post: str | None = None,
    items: Sequence[Mapping[str, Any]] | None = None,
    version: int | None = None,
) -> LeaderList:
    """Change a list's post and items (township officers): items with an id are
    updated, without one added, an existing item left blank removed (unless a
    submitted self-review assessed it)."""
    the_list = _lock_list(pk, by, access.CHANGE, version)
    errors: dict[str, list[Any]] = {}
    if post is not None:
        post = post.strip()
        if len(post) > 60:
            errors["post"] = [_("Post: at most 60 characters.")]
    clean: list[dict[str, Any]] = []
    if items is not None:
        try:
            clean = clean_items(the_list.kind, items)
        except Invalid as exc:
            errors.update(exc.fields)
    existing = {i.pk: i for i in the_list.items.select_for_update()}
    unknown = [e["id"] for e in clean if e.get("id") and e["id"] not in existing]
    if unknown:
        errors.setdefault("items", []).append(_("Items: an item is not on this list."))
    removed = [e["id"] for e in clean if e.get("delete") and e["id"] in existing]
    if removed:
        reviewed = set(
            SelfReviewLine.objects.filter(
                item_id__in=removed, review__submitted_at__isnull=False
            ).values_list("item_id", flat=True)
        )
        for item_pk in removed:
            if item_pk in reviewed:
                errors.setdefault("items", []).append(
                    _("“%(item)s” was assessed in a submitted self-review and stays on the list.")
                    % {"item": existing[item_pk].text[:40]}
                )
    if errors:
        raise Invalid(fields=errors)
    if post is not None and post != the_list.post:
        the_list.post = post
    order = 0
    for entry in clean:
        if entry.get("delete"):
            existing[entry["id"]].delete()
            continue
        order += 1
        item = existing.get(entry.get("id") or 0)
        if item is None:
            ListItem.objects.create(
                list=the_list,
                order=order,
                text=entry["text"],
                category=entry["category"],
                due_on=entry["due_on"],
                updated_by=by,
            )
            continue
        changed = (
            item.order != order
            or item.text != entry["text"]
            or item.category != entry["category"]
            or item.due_on != entry["due_on"]
        )
        if changed:
            item.order, item.text = order, entry["text"]
            item.category, item.due_on = entry["category"], entry["due_on"]
            item.updated_by = by
            item.save()
    the_list.version += 1
    the_list.save()
    return the_list


# ---------------------------------------------------------------- progress


def may_progress(by: User, the_list: LeaderList, roles: set[str] | None = None) -> bool:
    """The leader on their own list, or a township officer over it (``roles``: the
    user's roles allowing ``progress`` on the list's organisation, when known)."""
    if the_list.leader_id == by.pk:
        return True
    if roles is None:
        roles = access.roles_on(by, RESOURCE, PROGRESS, the_list.organization)
    return Role.TOWNSHIP_OFFICER in roles


@transaction.atomic
def record_progress(
    item: ListItem | int,
    *,
    by: User,
    status: str,
    progress: Any = None,
    note: str = "",
) -> ListItem:
    """The item's status, % done and a note, by the list's leader or a township officer."""
    pk = item.pk if isinstance(item, ListItem) else int(item)
    if not ListItem.objects.restrict(by, PROGRESS).filter(pk=pk).exists():
        if ListItem.objects.restrict(by, access.VIEW).filter(pk=pk).exists():
            raise Forbidden(_("Your role may not record progress on this list."))
        raise NotFound(_("No such item."))
    locked = (
        ListItem.objects.select_for_update(of=("self",))
        .select_related("list__organization__region", "list__leader")
        .get(pk=pk)
    )
    if not may_progress(by, locked.list):
        raise Forbidden(
            _("Only %(leader)s or the township's safety officers record progress on this list.")
            % {"leader": locked.list.leader.full_name or locked.list.leader.username}
        )
    errors: dict[str, list[Any]] = {}
    if status not in ItemStatus.values:
        errors["status"] = [_("Status: choose not started, in progress or done.")]
    percent = 0
    if progress in (None, ""):
        percent = (
            100
            if status == ItemStatus.DONE
            else (locked.progress if status == ItemStatus.IN_PROGRESS else 0)
        )
    else:
        try:
            percent = int(str(progress).strip())
        except (TypeError, ValueError):
            errors["progress"] = [_("Progress: a whole number from 0 to 100.")]
        else:
            if not 0 <= percent <= 100:
                errors["progress"] = [_("Progress: a whole number from 0 to 100.")]
    if status == ItemStatus.DONE:
        percent = 100
    elif status == ItemStatus.NOT_STARTED and percent > 0 and "progress" not in errors:
        errors["progress"] = [
            _("Progress: an item not started is 0 %% done; choose “in progress” for %(p)s %%.")
            % {"p": percent}
        ]
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        errors["note"] = [_("Note: at most %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise Invalid(fields=errors)
    locked.status = status
    locked.progress = percent
    locked.progress_note = note
    locked.updated_by = by
    locked.save()
    return locked


# ---------------------------------------------------------------- self-review


def review_items(leader: User, organization: Organization, year: int):
    """The items a leader's self-review covers: all items of their lists there that year."""
    return (
        ListItem.objects.filter(
            list__leader=leader, list__organization=organization, list__year=year
        )
        .select_related("list")
        .order_by("list__kind", "order", "id")
    )


@transaction.atomic
def save_self_review(
    *,
    by: User,
    leader: User | int,
    organization: Organization | int,
    year: Any,
    period: str,
    summary: str = "",
    gaps: str = "",
    next_steps: str = "",
    lines: Mapping[int, Mapping[str, Any]] | None = None,
    submit: bool = False,
) -> SelfReview:
    """The leader's self-review (检视履职) for a year and period: one assessment per
    item of their lists, a summary, the gaps found (找差距) and next steps.

    Saved as a draft, or submitted: then every item must be assessed (400 naming
    the ones missing) and the township officers are notified. A submitted review
    is final (409).
    """
    leader_pk = leader.pk if isinstance(leader, User) else int(leader)
    org_pk = organization.pk if isinstance(organization, Organization) else int(organization)
    visible = LeaderList.objects.restrict(by, access.VIEW).filter(
        leader_id=leader_pk, organization_id=org_pk
    )
    if not visible.exists():
        raise NotFound(_("No such leader's lists."))
    if leader_pk != by.pk:
        raise Forbidden(_("Only the leader reviews their own performance against their lists."))
    if (
        not LeaderList.objects.restrict(by, SELF_REVIEW)
        .filter(leader_id=leader_pk, organization_id=org_pk)
        .exists()
    ):
        raise Forbidden(_("Your role may not submit a self-review."))
    org = Organization.objects.select_related("region__parent").get(pk=org_pk)
    errors: dict[str, list[Any]] = {}
    the_year = _year(year, errors)
    if period not in PERIODS:
        errors["period"] = [
            _("Period: choose one of %(periods)s.")
            % {"periods": "、".join(period_label(p) for p in PERIODS)}
        ]
    if errors:
        raise Invalid(fields=errors)
    items = list(review_items(by, org, the_year))
    if not items:
        raise Invalid(
            fields={"year": [_("Year: you have no list items for %(year)s.") % {"year": the_year}]}
        )
    review = (
        SelfReview.objects.select_for_update()
        .filter(leader=by, organization=org, year=the_year, period=period)
        .first()
    )
    if review is not None and review.submitted_at is not None:
        raise Conflict(
            _("The self-review for %(year)s %(period)s was submitted on %(day)s and is final.")
            % {
                "year": the_year,
                "period": period_label(period),
                "day": timezone.localtime(review.submitted_at).date().isoformat(),
            }
        )
    summary, gaps, next_steps = (
        (summary or "").strip(),
        (gaps or "").strip(),
        (next_steps or "").strip(),
    )
    for name, value, label in (
        ("summary", summary, _("How the duties were fulfilled")),
        ("gaps", gaps, _("Gaps found")),
        ("next_steps", next_steps, pgettext("self-review", "Next steps")),
    ):
        if len(value) > 4 * MAX_TEXT:
            errors[name] = [
                _("%(field)s: at most %(max)s characters.") % {"field": label, "max": 4 * MAX_TEXT}
            ]
    by_id = {i.pk: i for i in items}
    wanted: dict[int, tuple[str, str]] = {}
    for raw_pk, line in (lines or {}).items():
        try:
            item_pk = int(raw_pk)
        except (TypeError, ValueError):
            item_pk = 0
        if item_pk not in by_id:
            errors.setdefault("lines", []).append(_("An assessed item is not on your lists."))
            continue
        assessment = str(line.get("assessment") or "").strip()
        remark = str(line.get("remark") or "").strip()
        if assessment and assessment not in Assessment.values:
            errors.setdefault("lines", []).append(
                _("“%(item)s”: choose fulfilled, partly fulfilled or not fulfilled.")
                % {"item": by_id[item_pk].text[:40]}
            )
            continue
        if len(remark) > MAX_TEXT:
            errors.setdefault("lines", []).append(
                _("“%(item)s”: the remark is longer than %(max)s characters.")
                % {"item": by_id[item_pk].text[:40], "max": MAX_TEXT}
            )
            continue
        if assessment or remark:
            wanted[item_pk] = (assessment, remark)
    if submit:
        missing = [i for i in items if not (wanted.get(i.pk) or ("", ""))[0]]
        if missing:
            names = "；".join(f"{i.list.get_kind_display()}·{i.text[:30]}" for i in missing)
            errors.setdefault("lines", []).append(
                _("Assess every item before submitting. Not assessed (%(n)s): %(items)s")
                % {"n": len(missing), "items": names}
            )
            errors["missing"] = [str(i.pk) for i in missing]
        if not summary:
            errors["summary"] = [
                _("How the duties were fulfilled: write a summary before submitting.")
            ]
    if errors:
        raise Invalid(fields=errors)
    if review is None:
        review = SelfReview(leader=by, organization=org, year=the_year, period=period)
    review.summary, review.gaps, review.next_steps = summary, gaps, next_steps
    if submit:
        review.submitted_at = timezone.now()
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # the same review saved twice at the same moment
        raise Conflict(_("The self-review was just saved elsewhere. Reload it.")) from None
    SelfReviewLine.objects.filter(review=review).exclude(item_id__in=list(wanted)).delete()
    current = {line.item_id: line for line in SelfReviewLine.objects.filter(review=review)}
    new_lines = []
    for item_pk, (assessment, remark) in wanted.items():
        line = current.get(item_pk)
        if line is None:
            new_lines.append(
                SelfReviewLine(review=review, item_id=item_pk, assessment=assessment, remark=remark)
            )
        elif (line.assessment, line.remark) != (assessment, remark):
            line.assessment, line.remark = assessment, remark
            line.save(update_fields=["assessment", "remark"])
    SelfReviewLine.objects.bulk_create(new_lines)
    if submit:
        name = by.full_name or by.username
        notify(
            township_officers(org),
            title=_("%(leader)s submitted a self-review (%(year)s %(period)s)")
            % {"leader": name, "year": the_year, "period": period_label(period)},
            body=_("%(leader)s, %(org)s, reviewed their performance against their lists.")
            % {"leader": name, "org": org.name},
            url=reverse("responsibility:leader", args=[org.pk, by.pk]) + f"?year={the_year}",
            key=f"selfreview:{review.pk}",
        )
    return review
