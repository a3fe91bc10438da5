"""Leaders' lists pages: the township's overview (who has which lists, how far each is
done, whose self-review is in), one leader's lists with inline progress, the
self-review form, the list forms for the township officer, a printable page and
the xlsx exports.

Rows come only through ``restrict(user, action)``; every change is a function of
:mod:`anpai.responsibility.actions`, which re-checks scope, role and state. These
views parse input, call it and show its answer: field errors under the form (400),
a refusal as an alert, nothing changed either way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.people.choices import Role
from anpai.people.models import User
from anpai.responsibility import actions, exports
from anpai.responsibility.actions import PERIODS, PROGRESS, RESOURCE, SELF_REVIEW, period_label
from anpai.responsibility.choices import Assessment, ItemStatus, ListKind, MatterCategory
from anpai.responsibility.filtersets import (
    LeaderListFilterSet,
    list_organizations,
    selected_year,
)
from anpai.responsibility.models import LeaderList, ListItem, SelfReview, SelfReviewLine
from anpai.responsibility.overview import overview, totals

BLANK_ROWS = 3


def home(request):
    """The section's landing page: leaders' lists for those who see them, else commitments."""
    if access.can(request.user, "responsibility.leaderlist", access.VIEW):
        return redirect("responsibility:lists")
    return redirect("enterprise:commitments")


def _is_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _years(user, year: int) -> list[int]:
    """The years that have lists the user sees, with this year and the one selected."""
    years = set(
        LeaderList.objects.restrict(user, access.VIEW)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    years |= {timezone.localdate().year, year}
    return sorted(years, reverse=True)


def _leader_url(org_id: int, leader_id: int, year: int) -> str:
    return reverse("responsibility:leader", args=[org_id, leader_id]) + f"?year={year}"


# ---------------------------------------------------------------- overview


class OverviewView(RestrictedViewMixin, View):
    """``/responsibility/leaders/``: each leader × the three lists for the year."""

    model = LeaderList
    resource = RESOURCE

    def _filters(self, request):
        year = selected_year(request.GET.get("year"))
        filterset = LeaderListFilterSet(
            request.GET, queryset=LeaderList.objects.none(), request=request
        )
        organization = None
        if filterset.is_valid():
            organization = filterset.form.cleaned_data.get("organization")
        return year, filterset, organization

    def get(self, request):
        user = request.user
        year, filterset, organization = self._filters(request)
        rows = overview(user, access.VIEW, year, organization)
        organizations = list(list_organizations(user).only("id", "name", "kind"))
        own = [r for r in rows if r.leader_id == user.pk]
        query = request.GET.urlencode()
        ctx = {
            "rows": rows,
            "totals": totals(rows),
            "year": year,
            "years": _years(user, year),
            "organization": organization,
            "organizations": organizations,
            "filter": filterset,
            "kinds": ListKind.choices,
            "can_add": access.can(user, RESOURCE, access.ADD),
            "can_export": access.can(user, RESOURCE, access.EXPORT),
            "own": own,
            "query": query,
        }
        return render(request, "responsibility/overview.html", ctx)


class ExportView(RestrictedViewMixin, View):
    """The overview (``what="overview"``) or every item (``"items"``) as xlsx."""

    model = LeaderList
    resource = RESOURCE
    permission_action = access.EXPORT
    what = "overview"

    def get(self, request):
        year = selected_year(request.GET.get("year"))
        filterset = LeaderListFilterSet(
            request.GET, queryset=LeaderList.objects.none(), request=request
        )
        organization = None
        if filterset.is_valid():
            organization = filterset.form.cleaned_data.get("organization")
        filters = {k: request.GET.getlist(k) for k in request.GET}
        if self.what == "items":
            return exports.items_response(request.user, year, organization, filters)
        return exports.overview_response(request.user, year, organization, filters)


# ---------------------------------------------------------------- one leader


def _leader_context(request, org_id: int, leader_id: int, year: int) -> dict[str, Any]:
    """A leader's lists for the year, with what the viewer may do on them."""
    user = request.user
    org = list_organizations(user).filter(pk=org_id).select_related("region").first()
    if org is None:
        raise Http404
    leader = User.objects.filter(pk=leader_id).first()
    has_lists = (
        LeaderList.objects.restrict(user, access.VIEW)
        .filter(organization=org, leader_id=leader_id)
        .exists()
    )
    if leader is None or not (has_lists or actions.is_leader_of(leader, org)):
        raise Http404
    items = Prefetch(
        "items",
        queryset=ListItem.objects.select_related("updated_by").order_by("order", "id"),
    )
    lists = list(
        LeaderList.objects.restrict(user, access.VIEW)
        .filter(organization=org, leader=leader, year=year)
        .prefetch_related(items)
    )
    by_kind = {the_list.kind: the_list for the_list in lists}
    roles = access.roles_on_orgs(
        user, RESOURCE, [PROGRESS, SELF_REVIEW, access.CHANGE, access.ADD], [org.pk]
    )[org.pk]
    can_progress = bool(roles[PROGRESS]) and (
        leader.pk == user.pk or Role.TOWNSHIP_OFFICER in roles[PROGRESS]
    )
    sections = []
    total = done = weighted = 0
    for kind, label in ListKind.choices:
        the_list = by_kind.get(kind)
        entries = list(the_list.items.all()) if the_list else []
        for item in entries:
            item.can_progress = can_progress
        count = len(entries)
        finished = sum(1 for i in entries if i.status == ItemStatus.DONE)
        total += count
        done += finished
        weighted += sum(i.progress for i in entries)
        sections.append(
            {
                "kind": kind,
                "label": label,
                "list": the_list,
                "items": entries,
                "total": count,
                "done": finished,
                "percent": round(sum(i.progress for i in entries) / count) if count else 0,
            }
        )
    reviews = list(
        SelfReview.objects.restrict(user, access.VIEW)
        .filter(organization=org, leader=leader)
        .order_by("-year", "period")
    )
    for review in reviews:
        review.period_label = period_label(review.period)
    post = next((the_list.post for the_list in lists if the_list.post), "")
    return {
        "org": org,
        "leader": leader,
        "year": year,
        "years": _years(user, year),
        "lists": lists,
        "post": post,
        "sections": sections,
        "total": total,
        "done": done,
        "percent": round(weighted / total) if total else 0,
        "reviews": reviews,
        "can_progress": can_progress,
        "can_review": leader.pk == user.pk and bool(roles[SELF_REVIEW]) and bool(lists),
        "can_change": bool(roles[access.CHANGE]),
        "can_add": bool(roles[access.ADD]),
        "status_choices": ItemStatus.choices,
        "is_self": leader.pk == user.pk,
    }


class LeaderView(RestrictedViewMixin, View):
    """``/responsibility/leaders/<org>/<user>/``: one leader's three lists for a year."""

    model = LeaderList
    resource = RESOURCE

    def get(self, request, org_id: int, leader_id: int):
        year = selected_year(request.GET.get("year"))
        ctx = _leader_context(request, org_id, leader_id, year)
        return render(request, "responsibility/leader.html", ctx)


class PrintView(LeaderView):
    """The leader's lists as a clean page for the browser's print (no navigation)."""

    def get(self, request, org_id: int, leader_id: int):
        year = selected_year(request.GET.get("year"))
        ctx = _leader_context(request, org_id, leader_id, year)
        ctx["printed_on"] = timezone.localdate()
        return render(request, "responsibility/print.html", ctx)


class MyListsView(RestrictedViewMixin, View):
    """``/responsibility/mine/``: the signed-in leader's own lists (the first place they
    hold lists in), else the overview."""

    model = LeaderList
    resource = RESOURCE

    def get(self, request):
        year = selected_year(request.GET.get("year"))
        mine = (
            LeaderList.objects.restrict(request.user, access.VIEW)
            .filter(leader=request.user)
            .order_by("-year")
            .values_list("organization_id", flat=True)
            .first()
        )
        if mine is None:
            return redirect("responsibility:lists")
        return redirect(_leader_url(mine, request.user.pk, year))


# ---------------------------------------------------------------- progress (htmx)


class ProgressView(RestrictedViewMixin, View):
    """POST ``/responsibility/items/<pk>/progress/``: status, % done and a note.

    htmx gets the item's row back (with its errors, 400); a plain form goes back to
    the leader's page.
    """

    model = ListItem
    resource = RESOURCE
    permission_action = PROGRESS

    def get(self, request, pk: int):
        item = self._visible(request, pk)
        return redirect(_leader_url(item.list.organization_id, item.list.leader_id, item.list.year))

    def _visible(self, request, pk: int) -> ListItem:
        item = (
            ListItem.objects.restrict(request.user, access.VIEW)
            .select_related("list", "updated_by")
            .filter(pk=pk)
            .first()
        )
        if item is None:
            raise Http404
        return item

    def post(self, request, pk: int):
        data = request.POST
        try:
            item = actions.record_progress(
                pk,
                by=request.user,
                status=data.get("status", ""),
                progress=data.get("progress", ""),
                note=data.get("note", ""),
            )
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            if _is_fragment(request):
                return HttpResponse(str(exc.message), status=403)
            raise PermissionDenied(str(exc.message)) from exc
        except Invalid as exc:
            item = self._visible(request, pk)
            item.can_progress = True
            if not _is_fragment(request):
                for errors in exc.fields.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect(
                    _leader_url(item.list.organization_id, item.list.leader_id, item.list.year)
                )
            ctx = {
                "item": item,
                "errors": [str(e) for v in exc.fields.values() for e in v],
                "posted": data,
                "status_choices": ItemStatus.choices,
                "can_progress": True,
            }
            return render(request, "responsibility/_item.html", ctx, status=400)
        item = self._visible(request, item.pk)
        item.can_progress = True
        if _is_fragment(request):
            ctx = {
                "item": item,
                "saved": True,
                "status_choices": ItemStatus.choices,
                "can_progress": True,
            }
            response = render(request, "responsibility/_item.html", ctx)
            patch_vary_headers(response, ("HX-Request",))
            return response
        messages.success(request, _("Progress saved."))
        return redirect(_leader_url(item.list.organization_id, item.list.leader_id, item.list.year))


# ---------------------------------------------------------------- self-review


class ReviewView(RestrictedViewMixin, View):
    """``/responsibility/leaders/<org>/<user>/review/``: the leader's self-review (检视履职)
    for a year and period: every item with an assessment and a remark, a summary, the
    gaps found and next steps; saved as a draft or submitted."""

    model = LeaderList
    resource = RESOURCE
    permission_action = SELF_REVIEW

    def _base(self, request, org_id: int, leader_id: int, year: int) -> dict[str, Any]:
        ctx = _leader_context(request, org_id, leader_id, year)
        if not ctx["is_self"]:
            raise PermissionDenied(_("Only the leader reviews their own performance."))
        if not ctx["can_review"]:
            if not ctx["lists"]:
                raise Http404
            raise PermissionDenied
        return ctx

    def _render(self, request, ctx, period, review, values, errors=None, status=200):
        missing = set((errors or {}).get("missing", []))
        for section in ctx["sections"]:
            for item in section["items"]:
                line = values.get(item.pk, {})
                item.assessment = line.get("assessment", "")
                item.remark = line.get("remark", "")
                item.missing = str(item.pk) in missing
        shown = {k: v for k, v in (errors or {}).items() if k != "missing"}
        ctx.update(
            period=period,
            periods=[(p, period_label(p)) for p in PERIODS],
            review=review,
            summary=values.get("summary", review.summary if review else ""),
            gaps=values.get("gaps", review.gaps if review else ""),
            next_steps=values.get("next_steps", review.next_steps if review else ""),
            assessments=Assessment.choices,
            errors=shown,
            error_messages=[m for v in shown.values() for m in v],
        )
        return render(request, "responsibility/review.html", ctx, status=status)

    def get(self, request, org_id: int, leader_id: int):
        year = selected_year(request.GET.get("year"))
        period = request.GET.get("period") or "全年"
        if period not in PERIODS:
            period = "全年"
        ctx = self._base(request, org_id, leader_id, year)
        review = (
            SelfReview.objects.filter(
                leader=ctx["leader"], organization=ctx["org"], year=year, period=period
            )
            .prefetch_related("lines")
            .first()
        )
        values: dict[Any, Any] = {}
        if review is not None:
            if review.submitted_at is not None:
                return redirect("responsibility:review_detail", pk=review.pk)
            for line in review.lines.all():
                values[line.item_id] = {"assessment": line.assessment, "remark": line.remark}
        return self._render(request, ctx, period, review, values)

    def post(self, request, org_id: int, leader_id: int):
        data = request.POST
        year = selected_year(data.get("year"))
        period = data.get("period", "")
        ctx = self._base(request, org_id, leader_id, year)
        lines: dict[int, dict[str, str]] = {}
        for section in ctx["sections"]:
            for item in section["items"]:
                assessment = data.get(f"assessment-{item.pk}", "")
                remark = data.get(f"remark-{item.pk}", "")
                if assessment or remark.strip():
                    lines[item.pk] = {"assessment": assessment, "remark": remark}
        submit = data.get("submit") == "1"
        try:
            review = actions.save_self_review(
                by=request.user,
                leader=ctx["leader"],
                organization=ctx["org"],
                year=year,
                period=period,
                summary=data.get("summary", ""),
                gaps=data.get("gaps", ""),
                next_steps=data.get("next_steps", ""),
                lines=lines,
                submit=submit,
            )
        except Invalid as exc:
            values: dict[Any, Any] = dict(lines)
            values.update(
                summary=data.get("summary", ""),
                gaps=data.get("gaps", ""),
                next_steps=data.get("next_steps", ""),
            )
            current = (
                SelfReview.objects.filter(
                    leader=ctx["leader"], organization=ctx["org"], year=year, period=period
                ).first()
                if period in PERIODS
                else None
            )
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            return self._render(
                request,
                ctx,
                period if period in PERIODS else "全年",
                current,
                values,
                errors,
                status=400,
            )
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect(_leader_url(ctx["org"].pk, ctx["leader"].pk, year))
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        if submit:
            messages.success(
                request, _("Self-review submitted. The township's safety officers are notified.")
            )
            return redirect("responsibility:review_detail", pk=review.pk)
        messages.success(request, _("Draft saved. Submit it when every item is assessed."))
        return redirect(
            reverse("responsibility:review", args=[ctx["org"].pk, ctx["leader"].pk])
            + f"?year={year}&period={period}"
        )


class ReviewDetailView(RestrictedViewMixin, View):
    """One self-review as submitted (or its draft, to its leader)."""

    model = SelfReview
    resource = RESOURCE

    def get(self, request, pk: int):
        review = (
            SelfReview.objects.restrict(request.user, access.VIEW)
            .select_related("leader", "organization")
            .filter(pk=pk)
            .first()
        )
        if review is None:
            raise Http404
        lines = list(
            SelfReviewLine.objects.filter(review=review)
            .select_related("item__list")
            .order_by("item__list__kind", "item__order", "item__id")
        )
        kinds = dict(ListKind.choices)
        sections: dict[str, dict[str, Any]] = {}
        for line in lines:
            kind = line.item.list.kind
            sections.setdefault(kind, {"label": kinds.get(kind, kind), "lines": []})
            sections[kind]["lines"].append(line)
        ordered = [sections[k] for k in ListKind.values if k in sections]
        counts = {
            value: sum(1 for line in lines if line.assessment == value)
            for value in Assessment.values
        }
        return render(
            request,
            "responsibility/review_detail.html",
            {
                "review": review,
                "period_label": period_label(review.period),
                "sections": ordered,
                "counts": [(label, counts[value], value) for value, label in Assessment.choices],
                "is_self": review.leader_id == request.user.pk,
            },
        )


# ---------------------------------------------------------------- list forms


def _items_from_post(data) -> list[dict[str, str]]:
    ids = data.getlist("item_id")
    texts = data.getlist("item_text")
    categories = data.getlist("item_category")
    dues = data.getlist("item_due")
    size = max(len(ids), len(texts), len(categories), len(dues))

    def at(values: list[str], index: int) -> str:
        return values[index] if index < len(values) else ""

    return [
        {
            "id": at(ids, i),
            "text": at(texts, i),
            "category": at(categories, i),
            "due_on": at(dues, i),
        }
        for i in range(size)
    ]


def _leader_choices(user) -> list[dict[str, Any]]:
    """Everyone who may hold lists in the organisations where the user may add them."""
    orgs = {o.pk: o for o in list_organizations(user, access.ADD)}
    rows = (
        actions.leader_memberships(orgs)
        .select_related("user", "organization")
        .order_by("organization__kind", "organization__name", "role", "user__full_name")
    )
    seen: set[str] = set()
    choices = []
    for m in rows:
        value = f"{m.organization_id}:{m.user_id}"
        if value in seen:
            continue
        seen.add(value)
        choices.append(
            {
                "value": value,
                "label": f"{m.user.full_name or m.user.username} · {m.get_role_display()} · "
                f"{m.organization.name}",
            }
        )
    return choices


class _ListFormMixin:
    def _render(self, request, ctx: dict[str, Any], status: int = 200):
        ctx.setdefault("errors", {})
        ctx["error_messages"] = [m for v in ctx["errors"].values() for m in v]
        ctx.setdefault("category_choices", MatterCategory.choices)
        ctx.setdefault("kind_choices", ListKind.choices)
        the_list = ctx.get("the_list")
        kind = the_list.kind if the_list else ctx.get("values", {}).get("kind", "")
        ctx["is_matters"] = kind == ListKind.MATTERS
        rows = ctx.get("rows") or []
        ctx["rows"] = list(rows) + [
            {"id": "", "text": "", "category": "", "due_on": ""} for _ in range(BLANK_ROWS)
        ]
        return render(request, "responsibility/list_form.html", ctx, status=status)


class ListCreateView(_ListFormMixin, RestrictedViewMixin, View):
    """The township officer writes a leader's list of one kind for one year."""

    model = LeaderList
    resource = RESOURCE
    permission_action = access.ADD

    def get(self, request):
        get = request.GET
        return self._render(
            request,
            {
                "creating": True,
                "leaders": _leader_choices(request.user),
                "values": {
                    "leader": get.get("leader", ""),
                    "kind": get.get("kind", ""),
                    "year": selected_year(get.get("year")),
                    "post": get.get("post", ""),
                },
            },
        )

    def post(self, request):
        data = request.POST
        org_raw, _sep, leader_raw = data.get("leader", "").partition(":")
        items = _items_from_post(data)
        values = {k: data.get(k, "") for k in ("leader", "kind", "year", "post")}
        try:
            if not org_raw.isdigit() or not leader_raw.isdigit():
                raise Invalid(fields={"leader": [_("Leader: choose the leader of the list.")]})
            the_list = actions.create_list(
                by=request.user,
                organization=int(org_raw),
                leader=int(leader_raw),
                year=data.get("year", ""),
                kind=data.get("kind", ""),
                post=data.get("post", ""),
                items=items,
            )
        except (Invalid, Conflict) as exc:
            fields = exc.fields or {"kind": [exc.message]}
            return self._render(
                request,
                {
                    "creating": True,
                    "leaders": _leader_choices(request.user),
                    "values": values,
                    "rows": [r for r in items if r["text"].strip()],
                    "errors": {k: [str(m) for m in v] for k, v in fields.items()},
                },
                status=exc.status,
            )
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        messages.success(
            request,
            _("%(kind)s saved with %(n)s items.")
            % {"kind": the_list.get_kind_display(), "n": the_list.items.count()},
        )
        return redirect(_leader_url(the_list.organization_id, the_list.leader_id, the_list.year))


class ListEditView(_ListFormMixin, RestrictedViewMixin, View):
    """The township officer changes a list's post and items."""

    model = LeaderList
    resource = RESOURCE
    permission_action = access.CHANGE

    def _load(self, request, pk: int) -> LeaderList:
        found = (
            LeaderList.objects.restrict(request.user, access.CHANGE)
            .select_related("organization", "leader")
            .filter(pk=pk)
            .first()
        )
        if found is not None:
            return found
        if LeaderList.objects.restrict(request.user, access.VIEW).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404

    def _ctx(self, the_list: LeaderList) -> dict[str, Any]:
        return {
            "creating": False,
            "the_list": the_list,
            "values": {"post": the_list.post, "version": the_list.version},
        }

    def get(self, request, pk: int):
        the_list = self._load(request, pk)
        ctx = self._ctx(the_list)
        ctx["rows"] = [
            {
                "id": i.pk,
                "text": i.text,
                "category": i.category,
                "due_on": i.due_on.isoformat() if i.due_on else "",
            }
            for i in the_list.items.order_by("order", "id")
        ]
        return self._render(request, ctx)

    def post(self, request, pk: int):
        the_list = self._load(request, pk)
        data = request.POST
        items = _items_from_post(data)
        try:
            version = int(data.get("version", ""))
        except ValueError:
            version = None
        try:
            actions.edit_list(
                the_list.pk,
                by=request.user,
                post=data.get("post", ""),
                items=items,
                version=version,
            )
        except (Invalid, Conflict) as exc:
            ctx = self._ctx(the_list)
            ctx["values"]["post"] = data.get("post", "")
            ctx["rows"] = [r for r in items if r["text"].strip() or r["id"]]
            if isinstance(exc, Conflict):
                ctx["errors"] = {"version": [str(exc.message)]}
                status = 409
            else:
                ctx["errors"] = {k: [str(m) for m in v] for k, v in exc.fields.items()}
                status = 400
            return self._render(request, ctx, status=status)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        messages.success(request, _("List saved."))
        return redirect(_leader_url(the_list.organization_id, the_list.leader_id, the_list.year))
