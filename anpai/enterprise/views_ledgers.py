"""Pages of the enterprise's standing ledgers: the full-staff responsibility system
(each post's duties, published in versions, with employees' acknowledgements and a
printable public board), the safety-expense ledger (with the township's summary per
enterprise) and the 三违 record (with counts per month × kind and a person's history).

Rows come only through ``restrict(user, action)`` (404 outside the scope, 403 when
seen but not allowed); every change is a function of :mod:`anpai.enterprise.ledgers`,
whose errors become 400 (under the field), 403, 404 or 409. Lists and exports run a
constant number of queries.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.errors import ActionError, Conflict, Forbidden, Invalid, NotFound
from anpai.enterprise import forms_ledgers as F
from anpai.enterprise import ledgers as L
from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.enterprise.filtersets_ledgers import ExpenseFilterSet, ViolationFilterSet
from anpai.enterprise.models import Acknowledgement, PostDuty, SafetyExpense, Violation
from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization

PAGE_SIZE = 50


# ---------------------------------------------------------------- shared


def organizations_for(user: Any, resource: str, action: str = access.VIEW) -> QuerySet:
    """The organisations whose ``resource`` rows ``user`` may ``action``."""
    q = access.scope_q(user, resource, action, org_path="")
    if q is None:
        return Organization.objects.none()
    return Organization.objects.filter(q)


def _own_org_id(user: Any, resource: str) -> int | None:
    """The one organisation a user reads ``resource`` of, when their roles reach only it."""
    table = access.POLICY.get(resource, {})
    grants = [g for g in access.grants(user) if access.VIEW in table.get(g.role, ())]
    ids = {g.org_id for g in grants}
    if grants and all(g.scope == access.OWN for g in grants) and len(ids) == 1:
        return ids.pop()
    return None


def pick_org(request, resource: str, *, param: str = "organization") -> Organization | None:
    """The organisation a page is about: ``?organization=`` (404 outside the scope), or
    the user's only one; None for someone who reads many and named none."""
    raw = (request.GET.get(param) or request.POST.get(param) or "").strip()
    if not raw:
        own = _own_org_id(request.user, resource)
        if own is None:
            return None
        raw = str(own)
    if not raw.isdigit():
        raise Http404
    org = (
        organizations_for(request.user, resource)
        .select_related("region__parent")
        .filter(pk=int(raw))
        .first()
    )
    if org is None:
        raise Http404
    return org


def _require(user: Any, resource: str, action: str = access.VIEW) -> None:
    if not access.can(user, resource, action):
        raise PermissionDenied


def _year(request) -> int:
    raw = (request.GET.get("year") or "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _org_choices(user: Any, resource: str, action: str = access.VIEW) -> list[Organization]:
    return list(
        organizations_for(user, resource, action)
        .exclude(kind__in=[OrgKind.COUNTY, OrgKind.TOWNSHIP])
        .only("id", "name")
        .order_by("name")[:500]
    )


def _raise_for(exc: ActionError) -> None:
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message))


def _object(model: Any, user: Any, pk: int, action: str, related: tuple[str, ...] = ()) -> Any:
    """``model`` row ``pk`` if ``user`` may ``action`` it; 404 outside the scope, 403
    when seen but not allowed."""
    found = model.objects.restrict(user, action).select_related(*related).filter(pk=pk).first()
    if found is not None:
        return found
    if action != access.VIEW and model.objects.restrict(user, access.VIEW).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def _org_url(name: str, org: Organization | None, **extra: Any) -> str:
    url = reverse(name)
    params = {"organization": org.pk} if org is not None else {}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _member_of(user: Any, org: Organization) -> bool:
    return any(g.org_id == org.pk and g.role in L.ENTERPRISE_ROLES for g in access.grants(user))


# ---------------------------------------------------------------- post duties


def _current_posts(org: Organization) -> list[PostDuty]:
    """The posts on the board in the order they were first written (the principal first,
    as the demo and most enterprises write them), a revision keeping its place."""
    first = (
        PostDuty.objects.filter(organization=OuterRef("organization"), post=OuterRef("post"))
        .order_by("id")
        .values("id")[:1]
    )
    return list(
        PostDuty.objects.filter(organization=org, is_current=True)
        .annotate(first_id=Subquery(first))
        .select_related("published_by")
        .prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.order_by("acknowledged_at", "id"),
            )
        )
        .order_by("first_id", "post")
    )


class PostsView(LoginRequiredMixin, View):
    """One organisation's full-staff responsibility system; for someone who reads many
    organisations and named none, each organisation's published posts and
    acknowledgements (one query for the table)."""

    def get(self, request):
        user = request.user
        _require(user, L.POSTS)
        org = pick_org(request, L.POSTS)
        if org is None:
            return self._overview(request)
        posts = _current_posts(org)
        mine = user.get_full_name().strip()
        member = _member_of(user, org)
        for p in posts:
            p.ack_names = [a.person_name for a in p.acknowledgements.all()]
            p.acknowledged_by_me = mine in p.ack_names
        ctx = {
            "organization": org,
            "posts": posts,
            "can_change": access.org_allows(user, L.POSTS, access.CHANGE, org),
            "can_acknowledge": member and access.org_allows(user, L.POSTS, L.ACKNOWLEDGE, org),
            "many_orgs": _own_org_id(user, L.POSTS) is None,
            "acknowledged_total": sum(len(p.ack_names) for p in posts),
        }
        return render(request, "enterprise/post_list.html", ctx)

    def _overview(self, request):
        orgs = (
            organizations_for(request.user, L.POSTS)
            .filter(post_duties__is_current=True)
            .annotate(
                posts=Count("post_duties", distinct=True),
                acks=Count("post_duties__acknowledgements", distinct=True),
                last=Max("post_duties__published_at"),
            )
            .order_by("name")
        )
        page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
        ctx = {
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
            "rows": list(page.object_list),
            "choices": _org_choices(request.user, L.POSTS),
        }
        return render(request, "enterprise/post_overview.html", ctx)


class PostBoardView(LoginRequiredMixin, View):
    """The public board (公示) of an organisation's posts and duties, for printing."""

    def get(self, request, org: int):
        _require(request.user, L.POSTS)
        found = organizations_for(request.user, L.POSTS).filter(pk=org).first()
        if found is None:
            raise Http404
        posts = _current_posts(found)
        for p in posts:
            p.ack_names = [a.person_name for a in p.acknowledgements.all()]
        ctx = {"organization": found, "posts": posts, "today": timezone.localdate()}
        return render(request, "enterprise/post_board.html", ctx)


class PostFormView(LoginRequiredMixin, View):
    """Write a post's duties (new post), or publish a new version of a post's duties
    (``pk`` = its current version)."""

    def _context(self, request, pk: int | None):
        if pk is not None:
            current = _object(PostDuty, request.user, pk, access.CHANGE, ("organization",))
            if not current.is_current:
                raise Http404
            return current.organization, current
        _require(request.user, L.POSTS, access.ADD)
        org = pick_org(request, L.POSTS)
        if org is None:
            raise Http404
        if not access.org_allows(request.user, L.POSTS, access.ADD, org):
            raise PermissionDenied
        return org, None

    def get(self, request, pk: int | None = None):
        org, current = self._context(request, pk)
        initial = {"post": current.post, "duties": current.duties} if current else {}
        return self._render(request, org, current, F.PostDutyForm(initial=initial))

    def post(self, request, pk: int | None = None):
        org, current = self._context(request, pk)
        form = F.PostDutyForm(request.POST)
        post_name = current.post if current else request.POST.get("post", "")
        try:
            published = L.publish_duty(
                by=request.user,
                organization=org,
                post=post_name,
                duties=request.POST.get("duties", ""),
            )
        except Invalid as exc:
            form.add_action_errors(exc)
            return self._render(request, org, current, form, status=400)
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(
            request,
            _("Duties of %(post)s published (version %(n)d).")
            % {"post": published.post, "n": published.version},
        )
        return redirect(_org_url("enterprise:posts", org))

    def _render(self, request, org, current, form, status=200):
        ctx = {"organization": org, "current": current, "form": form}
        return render(request, "enterprise/post_form.html", ctx, status=status)


class PostDetailView(LoginRequiredMixin, View):
    """One version of a post's duties, who acknowledged it, and the post's versions."""

    def get(self, request, pk: int):
        duty = _object(PostDuty, request.user, pk, access.VIEW, ("organization", "published_by"))
        return self._render(request, duty, F.AcknowledgeForm())

    def _render(self, request, duty: PostDuty, form, status: int = 200, error: str = ""):
        user = request.user
        org = duty.organization
        versions = list(
            PostDuty.objects.filter(organization=org, post=duty.post)
            .annotate(acks=Count("acknowledgements"))
            .order_by("-version")
        )
        acks = list(
            duty.acknowledgements.select_related("recorded_by").order_by("acknowledged_at", "id")
        )
        mine = user.get_full_name().strip()
        member = _member_of(user, org)
        ctx = {
            "duty": duty,
            "organization": org,
            "versions": versions,
            "acks": acks,
            "form": form,
            "error": error,
            "acknowledged_by_me": any(a.person_name == mine for a in acks),
            "can_acknowledge": duty.is_current
            and member
            and access.org_allows(user, L.POSTS, L.ACKNOWLEDGE, org),
            "can_change": duty.is_current and access.org_allows(user, L.POSTS, access.CHANGE, org),
        }
        return render(request, "enterprise/post_detail.html", ctx, status=status)


class PostAcknowledgeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        duty = _object(PostDuty, request.user, pk, access.VIEW, ("organization", "published_by"))
        form = F.AcknowledgeForm(request.POST)
        try:
            ack = L.acknowledge(duty, by=request.user, person_name=request.POST.get("person_name"))
        except Invalid as exc:
            form.add_action_errors(exc)
            return PostDetailView()._render(request, duty, form, status=400)
        except Conflict as exc:
            return PostDetailView()._render(request, duty, form, status=409, error=str(exc.message))
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(
            request,
            _("%(name)s acknowledged the duties of %(post)s (version %(n)d).")
            % {"name": ack.person_name, "post": duty.post, "n": duty.version},
        )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("enterprise:post_detail", args=[pk])
        return redirect(back)


class PostWithdrawView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        try:
            duty = L.withdraw_duty(pk, by=request.user)
        except Conflict as exc:
            return HttpResponse(str(exc.message), status=409)
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(request, _("%(post)s taken off the board.") % {"post": duty.post})
        return redirect(_org_url("enterprise:posts", duty.organization))


# ---------------------------------------------------------------- safety expenses


def _bars(rows: list[L.CategorySum]) -> dict[str, Any]:
    """Geometry of the horizontal bar chart of spending per category (server-drawn SVG)."""
    label_w, bar_w, row_h = 28, 300, 26
    bars = []
    for i, r in enumerate(rows):
        bars.append(
            {
                "n": i + 1,
                "x": label_w,
                "y": i * row_h,
                "text_y": i * row_h + 17,
                "w": max(round(r.share * bar_w), 1 if r.amount else 0),
                "name": r.name,
                "amount": r.amount,
                "value_x": label_w + max(round(r.share * bar_w), 1) + 6,
            }
        )
    return {"bars": bars, "height": len(rows) * row_h, "width": label_w + bar_w + 110}


class ExpensesView(LoginRequiredMixin, View):
    """An organisation's ledger for a year: totals, balance carried over, spending per
    category and the lines; for someone who reads many organisations and named none,
    each enterprise's set aside, spent and balance for the year."""

    def get(self, request):
        user = request.user
        _require(user, L.EXPENSES)
        year = _year(request)
        org = pick_org(request, L.EXPENSES)
        if org is None:
            return self._summary(request, year)
        base = SafetyExpense.objects.restrict(user, access.VIEW).filter(organization=org, year=year)
        filterset = ExpenseFilterSet(request.GET, queryset=base.select_related("recorded_by"))
        lines = filterset.qs.order_by("-date", "-id")
        page = Paginator(lines, 100).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        names = L.expense_categories()
        for line in rows:
            line.category_name = names.get(line.category, line.category)
        total = L.totals([org.pk], year)[org.pk]
        by_category = L.spent_by_category(org.pk, year)
        years = sorted(
            set(L.expense_years(org.pk)) | {year, timezone.localdate().year}, reverse=True
        )
        ctx = {
            "organization": org,
            "year": year,
            "years": years,
            "totals": total,
            "by_category": by_category,
            "chart": _bars(by_category),
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
            "lines": rows,
            "filter": filterset,
            "selected": {k: request.GET.get(k, "") for k in ("direction", "category")},
            "direction_choices": ExpenseDirection.choices,
            "category_choices": list(names.items()),
            "can_add": access.org_allows(user, L.EXPENSES, access.ADD, org),
            "can_change": access.org_allows(user, L.EXPENSES, access.CHANGE, org),
            "can_export": access.org_allows(user, L.EXPENSES, access.EXPORT, org),
            "many_orgs": _own_org_id(user, L.EXPENSES) is None,
        }
        return render(request, "enterprise/expense_list.html", ctx)

    def _summary(self, request, year: int):
        orgs = (
            organizations_for(request.user, L.EXPENSES)
            .filter(kind=OrgKind.ENTERPRISE)
            .only("id", "name")
            .order_by("name")
        )
        only_recorded = request.GET.get("recorded") == "1"
        if only_recorded:
            orgs = orgs.filter(safety_expenses__year__lte=year).distinct()
        page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        sums = L.totals([o.pk for o in rows], year)
        recorded = set(
            SafetyExpense.objects.filter(organization_id__in=[o.pk for o in rows], year__lte=year)
            .values_list("organization_id", flat=True)
            .distinct()
        )
        for o in rows:
            o.totals = sums[o.pk]
            o.recorded = o.pk in recorded
        ctx = {
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "rows": rows,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
            "only_recorded": only_recorded,
        }
        return render(request, "enterprise/expense_summary.html", ctx)


class ExpenseFormView(LoginRequiredMixin, View):
    """Record a ledger line (``?organization=``), or correct one (``pk``)."""

    def _context(self, request, pk: int | None):
        if pk is not None:
            line = _object(SafetyExpense, request.user, pk, access.CHANGE, ("organization",))
            return line.organization, line
        _require(request.user, L.EXPENSES, access.ADD)
        org = pick_org(request, L.EXPENSES)
        if org is None:
            raise Http404
        if not access.org_allows(request.user, L.EXPENSES, access.ADD, org):
            raise PermissionDenied
        return org, None

    def get(self, request, pk: int | None = None):
        org, line = self._context(request, pk)
        initial: dict[str, Any] = {"direction": request.GET.get("direction", ExpenseDirection.USE)}
        if line is not None:
            initial = {n: getattr(line, n) for n in L.EXPENSE_FIELDS}
            initial["date"] = line.date.isoformat()
        return self._render(request, org, line, F.ExpenseForm(initial=initial))

    def post(self, request, pk: int | None = None):
        org, line = self._context(request, pk)
        form = F.ExpenseForm(request.POST)
        values = {n: request.POST.get(n, "") for n in L.EXPENSE_FIELDS}
        try:
            if line is None:
                saved = L.record_expense(by=request.user, organization=org, **values)
            else:
                saved = L.update_expense(line, by=request.user, **values)
        except Invalid as exc:
            form.add_action_errors(exc)
            return self._render(request, org, line, form, status=400)
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(
            request,
            _("%(kind)s %(amount)s yuan recorded for %(year)s.")
            % {"kind": saved.get_direction_display(), "amount": saved.amount, "year": saved.year},
        )
        if line is None and request.POST.get("another"):
            return redirect(_org_url("enterprise:expense_create", org, direction=saved.direction))
        return redirect(_org_url("enterprise:expenses", org, year=saved.year))

    def _render(self, request, org, line, form, status=200):
        ctx = {
            "organization": org,
            "line": line,
            "form": form,
            "can_delete": line is not None
            and access.org_allows(request.user, L.EXPENSES, access.DELETE, org),
        }
        return render(request, "enterprise/expense_form.html", ctx, status=status)


class ExpenseDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        line = _object(SafetyExpense, request.user, pk, access.VIEW, ("organization",))
        try:
            L.delete_expense(pk, by=request.user)
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(request, _("The ledger line was deleted."))
        return redirect(_org_url("enterprise:expenses", line.organization, year=line.year))


class ExpenseExportView(LoginRequiredMixin, View):
    """The year's ledger of one organisation as xlsx."""

    def get(self, request):
        _require(request.user, L.EXPENSES, access.EXPORT)
        org = pick_org(request, L.EXPENSES)
        if org is None:
            raise Http404
        if not access.org_allows(request.user, L.EXPENSES, access.EXPORT, org):
            raise PermissionDenied
        year = _year(request)
        lines = SafetyExpense.objects.restrict(request.user, access.EXPORT).filter(
            organization=org, year=year
        )
        return expense_response(org, year, lines.order_by("date", "id"))


# ---------------------------------------------------------------- 三违


def _violations(request, action: str = access.VIEW):
    """The records the page is about (``?organization=`` or the whole scope), filtered."""
    org = pick_org(request, L.VIOLATIONS)
    base = Violation.objects.restrict(request.user, action)
    if org is not None:
        base = base.filter(organization=org)
    filterset = ViolationFilterSet(request.GET, queryset=base)
    return org, base, filterset


class ViolationsView(LoginRequiredMixin, View):
    """三违 records: filtered list, and counts per month × kind for a year."""

    def get(self, request):
        user = request.user
        _require(user, L.VIOLATIONS)
        org, base, filterset = _violations(request)
        year = _year(request)
        lines = filterset.qs.select_related("organization", "recorded_by").order_by("-date", "-id")
        page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
        many = _own_org_id(user, L.VIOLATIONS) is None
        ctx = {
            "organization": org,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
            "lines": list(page.object_list),
            "filter": filterset,
            "selected": {k: request.GET.get(k, "") for k in ("kind", "action", "person", "month")},
            "kind_choices": ViolationKind.choices,
            "action_choices": ViolationAction.choices,
            "kinds": [label for _v, label in ViolationKind.choices],
            "counts": L.month_kind_counts(base, year),
            "can_add": (
                access.org_allows(user, L.VIOLATIONS, access.ADD, org)
                if org is not None
                else access.can(user, L.VIOLATIONS, access.ADD)
            ),
            "can_export": access.can(user, L.VIOLATIONS, access.EXPORT),
            "can_change": org is not None
            and access.org_allows(user, L.VIOLATIONS, access.CHANGE, org),
            "many_orgs": many,
            "org_choices": _org_choices(user, L.VIOLATIONS) if many else [],
            "query": request.GET.urlencode(),
        }
        return render(request, "enterprise/violation_list.html", ctx)


class ViolationPersonView(LoginRequiredMixin, View):
    """Every record of one person (by name) in one organisation."""

    def get(self, request):
        _require(request.user, L.VIOLATIONS)
        org = pick_org(request, L.VIOLATIONS)
        name = (request.GET.get("name") or "").strip()
        if org is None or not name:
            raise Http404
        records = list(
            Violation.objects.restrict(request.user, access.VIEW)
            .filter(organization=org, person_name=name)
            .select_related("recorded_by")
            .order_by("-date", "-id")
        )
        fines = sum((r.fine or Decimal(0) for r in records), Decimal(0))
        by_kind = {label: 0 for _v, label in ViolationKind.choices}
        for r in records:
            by_kind[r.get_kind_display()] += 1
        ctx = {
            "organization": org,
            "name": name,
            "records": records,
            "fines": fines,
            "by_kind": by_kind,
            "posts": sorted({r.post for r in records if r.post}),
        }
        return render(request, "enterprise/violation_person.html", ctx)


class ViolationFormView(LoginRequiredMixin, View):
    """Record a 三违 (``?organization=``; chosen on the form by officers), or correct one."""

    def _context(self, request, pk: int | None):
        if pk is not None:
            record = _object(Violation, request.user, pk, access.CHANGE, ("organization",))
            return record.organization, record, []
        _require(request.user, L.VIOLATIONS, access.ADD)
        org = pick_org(request, L.VIOLATIONS)
        choices = []
        if org is None:
            choices = list(
                organizations_for(request.user, L.VIOLATIONS, access.ADD)
                .filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.PLACE])
                .only("id", "name")
                .order_by("name")[:500]
            )
        elif not access.org_allows(request.user, L.VIOLATIONS, access.ADD, org):
            raise PermissionDenied
        return org, None, choices

    def get(self, request, pk: int | None = None):
        org, record, choices = self._context(request, pk)
        initial: dict[str, Any] = {
            "person_name": request.GET.get("name", ""),
            "post": request.GET.get("post", ""),
        }
        if record is not None:
            initial = {n: getattr(record, n) for n in L.VIOLATION_FIELDS}
            initial["date"] = record.date.isoformat()
        return self._render(request, org, record, choices, F.ViolationForm(initial=initial))

    def post(self, request, pk: int | None = None):
        org, record, choices = self._context(request, pk)
        form = F.ViolationForm(request.POST)
        values = {n: request.POST.get(n, "") for n in L.VIOLATION_FIELDS}
        if org is None:
            form.add_error(None, _("Organisation is required."))
            return self._render(request, org, record, choices, form, status=400)
        try:
            if record is None:
                saved = L.record_violation(by=request.user, organization=org, **values)
            else:
                saved = L.update_violation(record, by=request.user, **values)
        except Invalid as exc:
            form.add_action_errors(exc)
            return self._render(request, org, record, choices, form, status=400)
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(
            request,
            _("三违 of %(person)s recorded (%(kind)s).")
            % {"person": saved.person_name, "kind": saved.get_kind_display()},
        )
        return redirect(_org_url("enterprise:violations", org))

    def _render(self, request, org, record, choices, form, status=200):
        ctx = {
            "organization": org,
            "record": record,
            "org_choices": choices,
            "form": form,
            "can_delete": record is not None
            and access.org_allows(request.user, L.VIOLATIONS, access.DELETE, org),
        }
        return render(request, "enterprise/violation_form.html", ctx, status=status)


class ViolationDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        record = _object(Violation, request.user, pk, access.VIEW, ("organization",))
        try:
            L.delete_violation(pk, by=request.user)
        except ActionError as exc:
            _raise_for(exc)
            raise
        messages.success(request, _("The record was deleted."))
        return redirect(_org_url("enterprise:violations", record.organization))


class ViolationExportView(LoginRequiredMixin, View):
    """The filtered records as xlsx (the page's filters; one organisation or the scope)."""

    def get(self, request):
        _require(request.user, L.VIOLATIONS, access.EXPORT)
        org, _base, filterset = _violations(request, access.EXPORT)
        rows = filterset.qs.select_related("organization", "recorded_by").order_by("date", "id")
        return violation_response(request.user, org, rows)


# ---------------------------------------------------------------- xlsx
# Column headers and names are the ledger's file format (Chinese in every interface
# language, as the other ledgers' exports are).

DIRECTION_ZH = {ExpenseDirection.PROVISION: "提取", ExpenseDirection.USE: "使用"}
KIND_ZH = {
    ViolationKind.COMMAND: "违章指挥",
    ViolationKind.OPERATION: "违章作业",
    ViolationKind.DISCIPLINE: "违反劳动纪律",
}
ACTION_ZH = {
    ViolationAction.EDUCATION: "批评教育",
    ViolationAction.RETRAINING: "停岗培训",
    ViolationAction.FINE: "经济处罚",
    ViolationAction.WARNING: "警告",
    ViolationAction.REMOVAL: "调离岗位",
    ViolationAction.DISMISSAL: "解除劳动合同",
    ViolationAction.OTHER: "其他",
}
MONEY_FORMAT = "#,##0.00"


def _workbook(title: str, sheet_name: str, headers: list[tuple[str, int]]):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from anpai.core.xlsx import header_cell, safe

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for index, (_h, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"  # the title and the header row stay in view
    cell = WriteOnlyCell(sheet, safe(sheet, title))
    cell.font = Font(bold=True, size=14)
    sheet.append([cell])
    sheet.append([header_cell(sheet, h) for h, _w in headers])
    return workbook, sheet


def _cell(sheet, value: Any, *, money: bool = False, bold: bool = False):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    from anpai.core.xlsx import safe

    value = safe(sheet, value)
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
    if money:
        cell.number_format = MONEY_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def _file_response(workbook, filename: str, object_repr: str, after: dict[str, Any]):
    from anpai.audit.log import append
    from anpai.audit.models import AuditAction
    from anpai.core.xlsx import XLSX_TYPE

    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned open)
    workbook.save(out)
    out.seek(0)
    append(
        AuditAction.EXPORT, object_type=after.pop("resource"), object_repr=object_repr, after=after
    )
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def expense_response(org: Organization, year: int, lines: QuerySet) -> FileResponse:
    """The year's ledger: title row, frozen header, one row per line (set aside and spent
    in their own columns), the year's totals, the balance brought forward and the balance
    at the year's end."""
    names = L.expense_categories()
    headers = [
        ("序号", 6),
        ("日期", 12),
        ("类型", 8),
        ("费用类别", 34),
        ("摘要", 36),
        ("凭证号", 14),
        ("提取金额（元）", 16),
        ("使用金额（元）", 16),
    ]
    workbook, sheet = _workbook(
        f"{org.name} {year}年度安全生产费用台账", "安全生产费用台账", headers
    )
    count = 0
    for seq, line in enumerate(lines.iterator(chunk_size=500), start=1):
        provision = line.direction == ExpenseDirection.PROVISION
        sheet.append(
            [
                seq,
                line.date,
                DIRECTION_ZH.get(line.direction, line.direction),
                names.get(line.category, line.category),
                _cell(sheet, line.description),
                _cell(sheet, line.voucher),
                _cell(sheet, line.amount if provision else None, money=True),
                _cell(sheet, None if provision else line.amount, money=True),
            ]
        )
        count += 1
    total = L.totals([org.pk], year)[org.pk]
    sheet.append(
        [
            _cell(sheet, "合计", bold=True),
            None,
            None,
            None,
            None,
            None,
            _cell(sheet, total.set_aside, money=True, bold=True),
            _cell(sheet, total.spent, money=True, bold=True),
        ]
    )
    sheet.append(
        [_cell(sheet, "上年结转", bold=True), *[None] * 5, _cell(sheet, total.carried, money=True)]
    )
    sheet.append(
        [
            _cell(sheet, "年末结余", bold=True),
            *[None] * 5,
            _cell(sheet, total.balance, money=True, bold=True),
        ]
    )
    return _file_response(
        workbook,
        f"安全生产费用台账-{org.name}-{year}.xlsx",
        f"安全生产费用台账 {org.name} {year}（{count}条）",
        {
            "resource": L.EXPENSES,
            "organization": org.pk,
            "year": year,
            "rows": count,
            "format": "xlsx",
        },
    )


def violation_response(user: Any, org: Organization | None, rows: QuerySet) -> FileResponse:
    """The 三违 records as xlsx: title row, frozen header, one row per record, a count row."""
    from anpai.orgs.exports import scope_title

    headers = [
        ("序号", 6),
        ("日期", 12),
        *([] if org is not None else [("单位名称", 26)]),
        ("姓名", 10),
        ("岗位", 12),
        ("类别", 14),
        ("违章情形", 40),
        ("处理措施", 14),
        ("罚款金额（元）", 14),
        ("记录人", 10),
    ]
    where = org.name if org is not None else scope_title(user)
    workbook, sheet = _workbook(f"{where} “三违”记录台账", "三违记录", headers)
    count = 0
    fines = Decimal(0)
    for seq, r in enumerate(rows.iterator(chunk_size=500), start=1):
        sheet.append(
            [
                seq,
                r.date,
                *([] if org is not None else [_cell(sheet, r.organization.name)]),
                _cell(sheet, r.person_name),
                _cell(sheet, r.post),
                KIND_ZH.get(r.kind, r.kind),
                _cell(sheet, r.description),
                ACTION_ZH.get(r.action, r.action),
                _cell(sheet, r.fine, money=True),
                _cell(sheet, r.recorded_by.get_full_name() if r.recorded_by else ""),
            ]
        )
        count += 1
        fines += r.fine or 0
    pad = [] if org is not None else [None]
    sheet.append(
        [
            _cell(sheet, "合计", bold=True),
            _cell(sheet, f"{count}人次", bold=True),
            *pad,
            None,
            None,
            None,
            None,
            None,
            _cell(sheet, fines, money=True, bold=True),
        ]
    )
    return _file_response(
        workbook,
        f"三违记录-{where}-{timezone.localdate():%Y%m%d}.xlsx",
        f"三违记录 {where}（{count}条）",
        {
            "resource": L.VIOLATIONS,
            "organization": org.pk if org else None,
            "rows": count,
            "format": "xlsx",
        },
    )
