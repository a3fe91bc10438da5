"""Standards library pages: the list by family, a standard with its clauses, and the
forms with which township officers write local standards.

Rows come only through ``Standard.objects.restrict(user, action)``: every role holder
reads the national standards and the local ones of their area; only the officers the
policy allows write local ones, and shipped standards are never writable (403).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.regions.models import Region
from anpai.standards.forms import ClauseForm, LocalStandardForm, StandardFilterForm
from anpai.standards.models import Clause, Standard

RESOURCE = "standards.standard"
# Clauses shown under a standard in the list when searching their text.
SEARCH_HITS = 5


def version_status(standard: Standard, on: date) -> dict[str, Any]:
    """How a version stands on a date: in force, not yet in force, or repealed."""
    if standard.effective_from > on:
        return {"key": "future", "date": standard.effective_from}
    if standard.repealed_on is not None and standard.repealed_on <= on:
        return {"key": "repealed", "date": standard.repealed_on}
    return {"key": "in_force", "date": standard.effective_from}


class StandardAccessMixin(RestrictedViewMixin):
    """Standards are read by every role holder (not by the policy table's view column,
    see :meth:`StandardQuerySet.restrict`); writing follows the policy."""

    model = Standard
    resource = RESOURCE

    def dispatch(self, request, *args, **kwargs):
        if self.permission_action != access.VIEW:
            return super().dispatch(request, *args, **kwargs)
        if request.user.is_authenticated and not access.grants(request.user):
            raise PermissionDenied
        # Skip the policy-table check of RestrictedViewMixin; keep the login redirect.
        return LoginRequiredMixin.dispatch(self, request, *args, **kwargs)


def _can_add(user) -> bool:
    return _home_township(user) is not None


def _home_township(user) -> Region | None:
    """The township a local standard written by this user belongs to: the region of a
    membership whose role may add standards (a township officer's township)."""
    table = access.POLICY.get(RESOURCE, {})
    for membership in access.memberships(user):
        if access.ADD not in table.get(membership.role, ()):
            continue
        org = membership.organization
        if org.township is not None:
            return org.township
    return None


# ---------------------------------------------------------------- list


class StandardListView(StandardAccessMixin, View):
    """Standards grouped by family, each version's standing on a date (default today)."""

    permission_action = access.VIEW
    template_name = "standards/standard_list.html"

    def get(self, request):
        user = request.user
        form = StandardFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        on = filters.get("on") or timezone.localdate()
        show_all = filters.get("versions") == "all"
        q = (filters.get("q") or "").strip()

        rows = (
            Standard.objects.restrict(user, access.VIEW)
            .select_related("industry", "region")
            .annotate(clause_count=Count("clauses"))
            .order_by("family", "-effective_from", "id")
        )
        if industry := filters.get("industry"):
            rows = rows.filter(industry=industry)
        if q:
            hits = Clause.objects.filter(Q(text__icontains=q) | Q(number__icontains=q))
            matching = rows.filter(
                Q(name__icontains=q)
                | Q(number__icontains=q)
                | Q(code__icontains=q)
                | Q(issuer__icontains=q)
                | Q(clauses__in=hits)
            ).values("family")
            rows = rows.filter(family__in=matching).prefetch_related(
                Prefetch("clauses", queryset=hits.order_by("sort_order", "id"), to_attr="hits")
            )

        families: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for standard in rows:
            standard.status = version_status(standard, on)
            family = families.setdefault(
                standard.family, {"family": standard.family, "versions": [], "current": None}
            )
            family["versions"].append(standard)
            if standard.status["key"] == "in_force" and family["current"] is None:
                family["current"] = standard
        groups = list(families.values())
        for group in groups:
            group["others"] = [v for v in group["versions"] if v is not group["current"]]
            # What the card is titled by: the version in force, else the newest.
            group["head"] = group["current"] or group["versions"][0]
            group["hit_count"] = sum(len(getattr(v, "hits", ())) for v in group["versions"])
            group["is_local"] = group["head"].region_id is not None
        if not show_all:
            groups = [g for g in groups if g["current"] is not None]
        # Families read in the order of the industry list (as everywhere else), then name.
        groups.sort(
            key=lambda g: (
                g["head"].industry.sort_order if g["head"].industry else 10_000,
                g["head"].name,
            )
        )

        context = {
            "form": form,
            "groups": groups,
            "on": on,
            "is_today": on == timezone.localdate(),
            "show_all": show_all,
            "q": q,
            "search_hits": SEARCH_HITS,
            "can_add": _can_add(user),
            "industries": list(form.fields["industry"].queryset),
            "selected_industry": request.GET.get("industry", ""),
        }
        return render(request, self.template_name, context)


# ---------------------------------------------------------------- detail


class StandardDetailView(StandardAccessMixin, View):
    """One version of a standard: facts, source, clauses, and the family's other versions."""

    permission_action = access.VIEW
    template_name = "standards/standard_detail.html"

    def get(self, request, pk: int):
        user = request.user
        standard = self.get_object()
        clauses = list(standard.clauses.all())
        versions = list(
            Standard.objects.restrict(user, access.VIEW)
            .filter(family=standard.family)
            .exclude(pk=standard.pk)
            .order_by("-effective_from", "id")
        )
        today = timezone.localdate()
        for version in versions:
            version.status = version_status(version, today)
        can_change = Standard.objects.restrict(user, access.CHANGE).filter(pk=standard.pk).exists()
        context = {
            "standard": standard,
            "status": version_status(standard, today),
            "clauses": clauses,
            "major_count": sum(1 for c in clauses if c.makes_major),
            "unverified_count": sum(1 for c in clauses if not c.is_verified),
            "versions": versions,
            "can_change": can_change,
        }
        return render(request, self.template_name, context)

    def get_object(self, queryset=None):
        obj = (
            Standard.objects.restrict(self.request.user, access.VIEW)
            .select_related("industry", "region")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if obj is None:
            raise Http404
        return obj


# ---------------------------------------------------------------- local standards


class LocalStandardCreateView(StandardAccessMixin, View):
    """A township officer writes a local standard for their township."""

    permission_action = access.ADD
    template_name = "standards/standard_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _can_add(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(LocalStandardForm())

    def post(self, request):
        form = LocalStandardForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        standard = form.save(commit=False)
        standard.region = _home_township(request.user)
        standard.is_shipped = False
        standard.save()
        messages.success(
            request, _("Local standard %(name)s saved. Now add its clauses.") % {"name": standard}
        )
        return redirect("standards:detail", pk=standard.pk)

    def _render(self, form, status=200):
        context = {"form": form, "standard": None, "township": _home_township(self.request.user)}
        return render(self.request, self.template_name, context, status=status)


class LocalStandardEditView(StandardAccessMixin, View):
    """Change a local standard's facts (a shipped one answers 403)."""

    permission_action = access.CHANGE
    template_name = "standards/standard_form.html"

    def get(self, request, pk: int):
        standard = self.get_object()
        return self._render(LocalStandardForm(instance=standard), standard)

    def post(self, request, pk: int):
        standard = self.get_object()
        form = LocalStandardForm(request.POST, instance=standard)
        if not form.is_valid():
            return self._render(form, standard, status=400)
        form.save()
        messages.success(request, _("Standard saved."))
        return redirect("standards:detail", pk=standard.pk)

    def _render(self, form, standard, status=200):
        context = {"form": form, "standard": standard, "township": standard.region}
        return render(self.request, self.template_name, context, status=status)


class ClauseEditView(StandardAccessMixin, View):
    """Add a clause to a local standard, or change one (``clause_pk``)."""

    permission_action = access.CHANGE
    template_name = "standards/clause_form.html"

    def _clause(self, standard: Standard) -> Clause | None:
        clause_pk = self.kwargs.get("clause_pk")
        if clause_pk is None:
            return None
        clause = standard.clauses.filter(pk=clause_pk).first()
        if clause is None:
            raise Http404
        return clause

    def get(self, request, pk: int, clause_pk: int | None = None):
        standard = self.get_object()
        clause = self._clause(standard)
        return self._render(ClauseForm(instance=clause, standard=standard), standard, clause)

    def post(self, request, pk: int, clause_pk: int | None = None):
        standard = self.get_object()
        clause = self._clause(standard)
        form = ClauseForm(request.POST, instance=clause, standard=standard)
        if not form.is_valid():
            return self._render(form, standard, clause, status=400)
        saved = form.save(commit=False)
        saved.standard = standard
        saved.save()
        messages.success(request, _("Clause %(number)s saved.") % {"number": saved.number})
        if clause is None and "add_another" in request.POST:
            return redirect("standards:clause_add", pk=standard.pk)
        url = reverse("standards:detail", args=[standard.pk])
        return redirect(f"{url}#clause-{saved.pk}")

    def _render(self, form, standard, clause, status=200):
        context = {"form": form, "standard": standard, "clause": clause}
        return render(self.request, self.template_name, context, status=status)
