"""Permit pages: the list, applying (the type first, then the form with the level and its
approval chain shown live), the permit as on paper with the steps the user may take
now, the board of today's work, and the rules in force.

Rows come only through ``restrict(user, action)``; every change is a function of
:mod:`anpai.permits.actions`, which re-checks scope, role, state and the rule of
GB 30871 that applies. These views parse input, call it and show its answer: a
field error under the field (400), a rule's refusal as an alert naming the rule
(409), nothing changed either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.permits import actions
from anpai.permits import forms as F
from anpai.permits import rules as R
from anpai.permits.choices import PermitState, PermitType
from anpai.permits.filtersets import PermitFilterSet, level_choices, organizations_for
from anpai.permits.models import GasAnalysis, Permit, PermitRules

RESOURCE = actions.RESOURCE
S = PermitState

# The operation's name as GB 30871 and the paper form print it (shown under the
# interface-language name wherever that differs).
TYPE_ZH = {
    PermitType.HOT_WORK: "动火作业",
    PermitType.CONFINED_SPACE: "受限空间作业",
    PermitType.BLIND_PLATE: "盲板抽堵作业",
    PermitType.HEIGHT: "高处作业",
    PermitType.LIFTING: "吊装作业",
    PermitType.TEMP_POWER: "临时用电作业",
    PermitType.EXCAVATION: "动土作业",
    PermitType.ROAD_BREAK: "断路作业",
}


def _is_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _permit(user, pk: int, action: str = access.VIEW) -> Permit:
    """The permit if ``user`` may ``action`` it; 404 outside their scope, 403 when they
    may see it but not do this."""
    base = Permit.objects.select_related(
        "organization__region__parent", "applicant", "risk_point", "rules__region"
    )
    found = base.restrict(user, action).filter(pk=pk).first()
    if found is not None:
        return found
    if action != access.VIEW and Permit.objects.restrict(user, access.VIEW).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def _role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def type_entries(region=None) -> list[dict[str, Any]]:
    """The eight operation types with their levels, for the buttons and the rules page."""
    rules = actions.rules_for(region)
    entries = []
    for code, label in PermitType.choices:
        rule = R.type_rule(rules.data, code)
        entries.append(
            {
                "code": code,
                "label": label,
                "zh": TYPE_ZH[code],
                "levels": [R.text(level) for level in rule["levels"]],
                "graded": len(rule["levels"]) > 1,
                "gas": bool(rule.get("gas_analysis")),
            }
        )
    return entries


def chain_rows(level_rule: dict[str, Any]) -> list[dict[str, Any]]:
    steps = level_rule.get("steps", {})
    return [
        {
            "code": code,
            "label": R.text(steps.get(code, {"zh": code, "en": code})),
            "roles": [_role_label(r) for r in steps.get(code, {}).get("roles", [])],
        }
        for code in level_rule.get("chain", [])
    ]


def _pdf_url(pk: int) -> str:
    try:
        return reverse("permits:pdf", args=[pk])
    except NoReverseMatch:  # pragma: no cover - the PDF route is another module's
        return ""


# ---------------------------------------------------------------- list


def _many_orgs(user) -> bool:
    """Whether the user reads the permits of more than one organisation (then lists name
    the organisation of each permit; an enterprise's staff know whose they are)."""
    table = access.POLICY.get(RESOURCE, {})
    grants = [g for g in access.grants(user) if access.VIEW in table.get(g.role, ())]
    return any(g.scope != access.OWN for g in grants) or len({g.org_id for g in grants}) > 1


class PermitListView(RestrictedViewMixin, ListView):
    """The permits in the user's scope, filtered; an htmx request gets the results only."""

    model = Permit
    resource = RESOURCE
    template_name = "permits/list.html"
    fragment_template = "permits/_list_results.html"
    paginate_by = 30

    def get_queryset(self):
        base = (
            Permit.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization__region")
            .annotate(signed=Count("approvals", filter=Q(approvals__is_current=True)))
            .order_by("-planned_start", "-id")
        )
        self.filterset = PermitFilterSet(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        return [self.fragment_template if _is_fragment(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        get = self.request.GET
        rows = list(ctx["object_list"])
        signing = access.roles_on_orgs(
            user, RESOURCE, [actions.APPROVE], {p.organization_id for p in rows}
        )
        for p in rows:
            p.type_zh = TYPE_ZH.get(p.type, "")
            p.next_label = ""
            p.my_turn = False
            chain = p.chain()
            if p.state == S.SUBMITTED and p.signed < len(chain):
                step = p.level_rule["steps"].get(chain[p.signed], {})
                p.next_label = R.text(step) if step else ""
                held = signing.get(p.organization_id, {}).get(actions.APPROVE, set())
                p.my_turn = user.pk != p.applicant_id and bool(held & set(step.get("roles", [])))
        ctx["object_list"] = rows
        active = {
            name: values
            for name in self.filterset.filters
            if (values := [v for v in get.getlist(name) if v.strip()])
        }
        ctx.update(
            fragment=_is_fragment(self.request),
            many_orgs=_many_orgs(user),
            filter=self.filterset,
            active_filters=active,
            can_add=access.can(user, RESOURCE, access.ADD),
            selected={name: get.get(name, "") for name in self.filterset.filters},
            type_choices=PermitType.choices,
            level_choices=level_choices(),
            state_choices=PermitState.choices,
        )
        if not ctx["fragment"]:
            fields = self.filterset.form.fields
            ctx.update(
                village_choices=list(fields["village"].queryset),
                organization_choices=list(fields["organization"].queryset[:501]),
            )
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response


# ---------------------------------------------------------------- apply, edit


def _level_context(
    type_code: str, org: Organization | None, answers: dict[str, Any], start=None, end=None
) -> dict[str, Any]:
    """What the live preview shows: the level the answers call for, its validity, break
    limit and approval chain in the rules of the organisation's township, and whether
    the planned window fits."""
    ctx: dict[str, Any] = {"type_code": type_code}
    try:
        level = R.derive_level(type_code, answers)
    except Invalid as exc:
        ctx["level_errors"] = [str(m) for msgs in exc.fields.values() for m in msgs]
        return ctx
    rules = actions.rules_for(org.region if org is not None else None)
    rule = actions.level_rule_for(rules, type_code, level)
    ctx.update(
        level=level,
        level_label=R.text(rule),
        rule=rule,
        chain=chain_rows(rule),
        rules_version=rules,
    )
    if start is not None and end is not None:
        try:
            R.check_window(rule, start, end)
        except Invalid as exc:
            ctx["window_errors"] = [str(m) for msgs in exc.fields.values() for m in msgs]
        else:
            ctx["window_hours"] = f"{(end - start).total_seconds() / 3600:.4g}"
    return ctx


def _answers_from(data: Any, type_code: str) -> dict[str, Any]:
    if type_code == PermitType.HOT_WORK:
        return {
            "area": data.get("area", ""),
            "night_or_holiday": data.get("night_or_holiday") in ("on", "true", "1", "True"),
        }
    if type_code == PermitType.HEIGHT:
        return {"height_m": (data.get("height_m") or "").strip()}
    if type_code == PermitType.LIFTING:
        return {"mass_t": (data.get("mass_t") or "").strip()}
    return {}


def _when(raw: str):
    from django.utils.dateparse import parse_datetime

    try:
        value = parse_datetime((raw or "").strip())
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _apply_errors(form: F.PermitForm, exc: Invalid) -> list[str]:
    """Put an action's field errors on the form; the worker rows' errors are returned
    apart (they are shown above the rows)."""
    fields = dict(exc.fields)
    workers = [str(m) for m in fields.pop("workers", [])]
    if fields:
        form.add_action_errors(Invalid(exc.message, fields=fields))
    elif not workers:
        form.add_action_errors(exc)
    return workers


class _PermitFormMixin:
    template_name = "permits/form.html"
    request: Any

    def _render(self, ctx: dict[str, Any], status: int = 200):
        form: F.PermitForm = ctx["form"]
        data = form.data if form.is_bound else None
        if data is not None:
            answers = _answers_from(data, form.type)
            start, end = _when(data.get("planned_start", "")), _when(data.get("planned_end", ""))
        elif ctx.get("permit") is not None:
            p = ctx["permit"]
            answers, start, end = p.answers, p.planned_start, p.planned_end
        else:
            answers, start, end = {}, None, None
        ctx.update(
            type_code=form.type,
            type_label=PermitType(form.type).label,
            type_zh=TYPE_ZH[form.type],
            organization=form.organization,
            gas_type=form.type in F.GAS_TYPES,
            preview_url=reverse("permits:level_preview"),
            preview=_level_context(form.type, form.organization, answers, start, end)
            if answers or form.type not in F.LEVEL_QUESTIONS
            else {"type_code": form.type},
        )
        return render(self.request, self.template_name, ctx, status=status)


class PermitCreateView(_PermitFormMixin, RestrictedViewMixin, View):
    """Apply for a permit: the operation type first (eight big buttons), then the form.

    ``?type=&organization=&risk_point=`` preselect; an organisation the user may not
    apply for answers 404.
    """

    model = Permit
    resource = RESOURCE
    permission_action = access.ADD

    def _organizations(self) -> list[Organization]:
        return list(
            organizations_for(self.request.user, access.ADD)
            .select_related("region__parent")
            .order_by("name")
        )

    def _organization(self, raw: str, choices: list[Organization]) -> Organization | None:
        raw = (raw or "").strip()
        if raw:
            found = next((o for o in choices if str(o.pk) == raw), None)
            if found is None:
                raise Http404
            return found
        return choices[0] if len(choices) == 1 else None

    def get(self, request):
        choices = self._organizations()
        org = self._organization(request.GET.get("organization", ""), choices)
        type_code = request.GET.get("type", "")
        if org is None or type_code not in PermitType.values:
            ctx = {
                "organizations": choices,
                "organization": org,
                "types": type_entries(org.region if org else None),
                "risk_point": request.GET.get("risk_point", ""),
            }
            return render(request, "permits/choose_type.html", ctx)
        initial: dict[str, Any] = {}
        raw_point = request.GET.get("risk_point", "")
        if raw_point.isdigit():
            initial["risk_point"] = raw_point
        now = timezone.localtime().replace(second=0, microsecond=0)
        start = now + timedelta(minutes=60 - now.minute)
        initial.update(planned_start=start, planned_end=start + timedelta(hours=4))
        form = F.PermitForm(type=type_code, organization=org, initial=initial)
        if raw_point and form.fields["risk_point"].queryset.filter(pk=raw_point).exists():
            point = form.fields["risk_point"].queryset.get(pk=raw_point)
            form.initial["location"] = point.location or point.name
        return self._render({"form": form, "workers": F.worker_formset(), "permit": None})

    def post(self, request):
        choices = self._organizations()
        org = self._organization(request.POST.get("organization", ""), choices)
        type_code = request.POST.get("type", "")
        if org is None or type_code not in PermitType.values:
            raise Http404
        form = F.PermitForm(request.POST, type=type_code, organization=org)
        workers = F.worker_formset(request.POST)
        worker_errors: list[str] = []
        if form.is_valid() and workers.is_valid():
            try:
                permit = actions.create(
                    by=request.user,
                    organization=org,
                    type=type_code,
                    answers=form.answers(),
                    workers=workers.rows(),
                    linked=form.linked_permits(),
                    **form.values(),
                )
            except Invalid as exc:
                worker_errors = _apply_errors(form, exc)
            except (Forbidden, NotFound) as exc:
                raise Http404(str(exc.message)) from exc
            else:
                return _after_save(request, permit, then_submit=bool(request.POST.get("submit")))
        ctx = {"form": form, "workers": workers, "worker_errors": worker_errors, "permit": None}
        return self._render(ctx, status=400)


def _after_save(request, permit: Permit, *, then_submit: bool):
    """Saved: to the permit's page, submitted first when asked (what is missing is said)."""
    if not then_submit:
        messages.success(
            request,
            _("Draft %(name)s saved. Check it and submit it for approval.") % {"name": permit},
        )
        return redirect("permits:detail", pk=permit.pk)
    try:
        permit = actions.submit(permit.pk, by=request.user)
    except Invalid as exc:
        missing = "; ".join(str(m) for msgs in exc.fields.values() for m in msgs)
        messages.warning(
            request,
            _("Saved as a draft but not submitted: %(why)s") % {"why": missing or exc.message},
        )
    except (Conflict, Forbidden) as exc:
        messages.warning(
            request, _("Saved as a draft but not submitted: %(why)s") % {"why": exc.message}
        )
    else:
        messages.success(
            request, _("%(name)s submitted for approval.") % {"name": permit.number or permit}
        )
    return redirect("permits:detail", pk=permit.pk)


class PermitEditView(_PermitFormMixin, RestrictedViewMixin, View):
    """Change a draft (the type stays; the level follows the answers again)."""

    model = Permit
    resource = RESOURCE

    def _load(self, request, pk: int) -> Permit:
        permit = _permit(request.user, pk, access.CHANGE)
        if permit.state != S.DRAFT:
            messages.error(
                request,
                _("Only a draft can be changed; this permit is “%(state)s”.")
                % {"state": permit.get_state_display()},
            )
            raise _Redirect(reverse("permits:detail", args=[permit.pk]))
        return permit

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except _Redirect as jump:
            return HttpResponseRedirect(jump.url)

    def get(self, request, pk: int):
        permit = self._load(request, pk)
        form = F.PermitForm(type=permit.type, organization=permit.organization, permit=permit)
        return self._render(
            {"form": form, "workers": F.worker_formset(permit=permit), "permit": permit}
        )

    def post(self, request, pk: int):
        permit = self._load(request, pk)
        form = F.PermitForm(
            request.POST, type=permit.type, organization=permit.organization, permit=permit
        )
        workers = F.worker_formset(request.POST, permit=permit)
        worker_errors: list[str] = []
        if form.is_valid() and workers.is_valid():
            try:
                saved = actions.update(
                    permit.pk,
                    by=request.user,
                    version=form.cleaned_data.get("version"),
                    answers=form.answers(),
                    workers=workers.rows(),
                    linked=form.linked_permits(),
                    **form.values(),
                )
            except Invalid as exc:
                worker_errors = _apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, str(exc.message))
                return redirect("permits:edit", pk=permit.pk)
            except (Forbidden, NotFound) as exc:
                raise PermissionDenied(str(exc.message)) from exc
            else:
                return _after_save(request, saved, then_submit=bool(request.POST.get("submit")))
        ctx = {"form": form, "workers": workers, "worker_errors": worker_errors, "permit": permit}
        return self._render(ctx, status=400)


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class LevelPreviewView(RestrictedViewMixin, View):
    """htmx: the level the answers give, its validity and approval chain; nothing saved."""

    model = Permit
    resource = RESOURCE
    permission_action = access.ADD

    def post(self, request):
        data = request.POST if request.method == "POST" else request.GET
        type_code = data.get("type", "")
        if type_code not in PermitType.values:
            raise Http404
        raw = (data.get("organization") or "").strip()
        orgs = organizations_for(request.user, access.ADD).select_related("region__parent")
        org = orgs.filter(pk=raw).first() if raw.isdigit() else orgs.first()
        if org is None:
            raise Http404
        ctx = _level_context(
            type_code,
            org,
            _answers_from(data, type_code),
            _when(data.get("planned_start", "")),
            _when(data.get("planned_end", "")),
        )
        return render(request, "permits/_level_preview.html", {"preview": ctx})

    get = post


# ---------------------------------------------------------------- the permit


@dataclass(frozen=True)
class Step:
    function: Any
    form: type[F.ActionForm]
    access: str
    label: Any
    style: str = "primary"


STEPS: dict[str, Step] = {
    "submit": Step(actions.submit, F.EmptyForm, access.CHANGE, gettext_lazy("Submit for approval")),
    "approve": Step(
        actions.approve, F.ApproveForm, actions.APPROVE, gettext_lazy("Approve"), "success"
    ),
    "reject": Step(
        actions.reject, F.RejectForm, actions.APPROVE, gettext_lazy("Send back"), "outline-danger"
    ),
    "measures": Step(
        actions.confirm_measures,
        F.MeasuresForm,
        actions.WORK,
        gettext_lazy("Confirm the safety measures"),
    ),
    "briefing": Step(
        actions.record_briefing,
        F.BriefingForm,
        actions.WORK,
        gettext_lazy("Record the safety briefing"),
    ),
    "gas-analysis": Step(
        actions.gas_analysis, F.GasForm, actions.WORK, gettext_lazy("Record a gas analysis")
    ),
    "start": Step(
        actions.start, F.EmptyForm, actions.WORK, gettext_lazy("Start the work"), "success"
    ),
    "pause": Step(
        actions.pause, F.PauseForm, actions.WORK, gettext_lazy("Pause the work"), "warning"
    ),
    "resume": Step(
        actions.resume, F.EmptyForm, actions.WORK, gettext_lazy("Resume the work"), "success"
    ),
    "complete": Step(
        actions.complete, F.CompleteForm, actions.WORK, gettext_lazy("Complete and accept the site")
    ),
    "cancel": Step(
        actions.cancel,
        F.CancelForm,
        actions.CANCEL,
        gettext_lazy("Cancel the permit"),
        "outline-danger",
    ),
}

# Steps whose form is one button; the others open (collapsed) to be filled in.
ONE_TAP = {"submit", "start", "resume"}


def _minutes_since(when: datetime | None, now: datetime) -> int | None:
    return None if when is None else int((now - when).total_seconds() // 60)


def _readiness(
    permit: Permit, measures: list, latest: GasAnalysis | None, now: datetime
) -> list[dict[str, Any]]:
    """What the start needs, each with whether it is met (the action decides; this shows)."""
    applicable = [m for m in measures if m.applicable]
    confirmed = [m for m in applicable if m.confirmed_by]
    checks = [
        {
            "code": "approved",
            "ok": permit.state == S.APPROVED,
            "label": _("Approved by every step of the chain"),
        },
        {
            "code": "measures",
            "ok": len(confirmed) == len(applicable),
            "label": _("Safety measures confirmed: %(done)d of %(n)d")
            % {"done": len(confirmed), "n": len(applicable)},
        },
        {
            "code": "briefing",
            "ok": bool(permit.briefing_given_by and permit.briefing_received_by),
            "label": _("Safety briefing given and received"),
        },
    ]
    if permit.gas_required:
        limit = int(permit.level_rule.get("analysis_max_age_minutes", 30))
        age = _minutes_since(latest.taken_at, now) if latest else None
        ok = latest is not None and latest.passed and age is not None and age <= limit
        if latest is None:
            label = _("A passing gas analysis within %(limit)d minutes: none yet") % {
                "limit": limit
            }
        else:
            label = _(
                "A passing gas analysis within %(limit)d minutes: "
                "the latest is %(age)d min old, %(verdict)s"
            ) % {
                "limit": limit,
                "age": max(age or 0, 0),
                "verdict": _("passed") if latest.passed else _("failed"),
            }
        checks.append({"code": "gas", "ok": ok, "label": label})
    checks.append(
        {
            "code": "window",
            "ok": permit.planned_start <= now + actions.CLOCK_SKEW < permit.planned_end,
            "label": _("Within the planned window"),
        }
    )
    return checks


def detail_context(
    request,
    permit: Permit,
    *,
    bound: tuple[str, F.ActionForm] | None = None,
    refusal: str = "",
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    permit.type_zh = TYPE_ZH.get(permit.type, "")
    names = actions.available_actions(permit, user)
    forms = []
    for name in names:
        if name not in STEPS:
            continue
        step = STEPS[name]
        form = bound[1] if bound and bound[0] == name else step.form(permit=permit)
        forms.append(
            {
                "name": name,
                "label": step.label,
                "style": step.style,
                "form": form,
                "one_tap": name in ONE_TAP,
                # The form posted last is open again; else approving is open (one tap on a phone).
                "open": (bound[0] == name) if bound else name == "approve",
            }
        )
    approvals = list(
        permit.approvals.filter(is_current=True)
        .select_related("approver")
        .order_by("position", "at")
    )
    chain = chain_rows(permit.level_rule)
    for i, row in enumerate(chain):
        row["approval"] = approvals[i] if i < len(approvals) else None
        if row["approval"] is not None:
            row["role_label"] = _role_label(row["approval"].role)
        row["is_next"] = permit.state == S.SUBMITTED and i == len(approvals)
    measures = list(permit.measures.all())
    analyses = list(permit.analyses.select_related("recorded_by").order_by("-taken_at", "-id"))
    latest = analyses[0] if analyses else None
    end_day = timezone.localtime(permit.planned_end).date()
    workers = list(permit.workers.all())
    for w in workers:
        w.expired = w.certificate_expires < end_day
    events = list(permit.events.select_related("actor").order_by("at", "id"))
    state_labels = dict(PermitState.choices)
    for e in events:
        e.moved = bool(e.from_state and e.to_state and e.from_state != e.to_state)
        e.from_label = state_labels.get(e.from_state, e.from_state)
        e.to_label = state_labels.get(e.to_state, e.to_state)
    linked = list(permit.linked.restrict(user, access.VIEW).order_by("-planned_start"))
    for p in linked:
        p.type_zh = TYPE_ZH.get(p.type, "")
    limit = int(permit.level_rule.get("analysis_max_age_minutes", 30))
    latest_age = _minutes_since(latest.taken_at, now) if latest else None
    return {
        "permit": permit,
        "type_zh": TYPE_ZH.get(permit.type, ""),
        "step_forms": forms,
        "can_edit": "edit" in names,
        "has_start": "start" in names,
        "open_step": bound[0] if bound else "",
        "refusal": refusal,
        "chain": chain,
        "approvals": approvals,
        "next_step": next((r for r in chain if r["is_next"]), None),
        "measures": measures,
        "measures_applicable": sum(1 for m in measures if m.applicable),
        "measures_confirmed": sum(1 for m in measures if m.applicable and m.confirmed_by),
        "analyses": analyses,
        "latest": latest,
        "latest_age": latest_age,
        "latest_stale": permit.gas_required
        and permit.state == S.IN_PROGRESS
        and (latest is None or (latest_age or 0) > limit),
        "analysis_limit": limit,
        "workers": workers,
        "events": events,
        "linked": linked,
        "readiness": _readiness(permit, measures, latest, now)
        if permit.state in (S.SUBMITTED, S.APPROVED)
        else [],
        "pdf_url": _pdf_url(permit.pk),
        "rule_source": permit.level_rule.get("source", ""),
        "rule_verified": permit.level_rule.get("verified", False),
        "now": now,
    }


class PermitDetailView(RestrictedViewMixin, View):
    """The whole permit as on paper, its state and chain, and the steps the user may take now."""

    model = Permit
    resource = RESOURCE

    def get(self, request, pk: int):
        permit = _permit(request.user, pk)
        return render(request, "permits/detail.html", detail_context(request, permit))


class PermitActionView(RestrictedViewMixin, View):
    """POST ``/permits/<pk>/<action>/``: one step of the permit.

    Outside the user's scope → 404; a role that may not take this step → 403; bad
    input → the page again with the step's form and its errors (400); a rule's
    refusal → the page again with the rule's message (409). Nothing changes then.
    """

    model = Permit
    resource = RESOURCE

    def get(self, request, pk: int, action: str):
        return redirect("permits:detail", pk=pk)

    def post(self, request, pk: int, action: str):
        step = STEPS.get(action)
        if step is None:
            raise Http404
        permit = _permit(request.user, pk, step.access)
        form = step.form(request.POST, permit=permit)
        if not form.is_valid():
            return self._again(permit, action, form, status=400)
        try:
            result = step.function(permit.pk, by=request.user, **form.kwargs())
        except Invalid as exc:
            form.add_action_errors(exc)
            return self._again(permit, action, form, status=400)
        except Conflict as exc:
            return self._again(permit, action, form, refusal=str(exc.message), status=409)
        except Forbidden as exc:
            return self._again(permit, action, form, refusal=str(exc.message), status=403)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        self._done(action, result)
        return redirect("permits:detail", pk=permit.pk)

    def _done(self, action: str, result: Any) -> None:
        request = self.request
        if action == "gas-analysis":
            if result.passed:
                messages.success(request, _("Gas analysis recorded: passed."))
            else:
                messages.error(
                    request,
                    _("Gas analysis recorded: FAILED. %(why)s")
                    % {"why": " ".join(result.failures)},
                )
            return
        done = {
            "submit": _("Submitted for approval."),
            "reject": _("Sent back to the applicant."),
            "measures": _("Safety measures saved."),
            "briefing": _("Safety briefing recorded."),
            "start": _("The work has started."),
            "pause": _("The work is paused."),
            "resume": _("The work has resumed."),
            "complete": _("The work is completed and the site accepted."),
            "cancel": _("The permit is cancelled."),
        }
        if action == "approve":
            if result.state == S.APPROVED:
                messages.success(request, _("Signed. The permit is approved."))
            else:
                step = actions.next_step(result)
                label = R.text(result.level_rule["steps"][step]) if step else ""
                messages.success(request, _("Signed. Next to sign: %(who)s.") % {"who": label})
            return
        messages.success(request, done[action])

    def _again(self, permit: Permit, action: str, form, *, status: int, refusal: str = ""):
        fresh = _permit(self.request.user, permit.pk)
        ctx = detail_context(self.request, fresh, bound=(action, form), refusal=refusal)
        ctx["refused_step"] = STEPS[action].label if refusal else ""
        return render(self.request, "permits/detail.html", ctx, status=status)


# ---------------------------------------------------------------- board


def _duration(delta: timedelta) -> dict[str, int]:
    minutes = max(int(delta.total_seconds() // 60), 0)
    return {"h": minutes // 60, "m": minutes % 60, "total": minutes}


class BoardView(RestrictedViewMixin, View):
    """Today's work: permits approved for today, in progress or paused. An enterprise sees
    its own; the township all organisations in its scope, by village and organisation.
    The page refreshes itself every minute (htmx)."""

    model = Permit
    resource = RESOURCE

    def get(self, request):
        user = request.user
        now = timezone.now()
        today = timezone.localdate()
        tomorrow = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
        latest = GasAnalysis.objects.filter(permit=OuterRef("pk")).order_by("-taken_at", "-id")
        rows = (
            Permit.objects.restrict(user, access.VIEW)
            .filter(
                Q(state__in=[S.IN_PROGRESS, S.PAUSED])
                | Q(state=S.APPROVED, planned_start__lt=tomorrow, planned_end__gt=now)
            )
            .select_related("organization__region")
            .annotate(
                gas_at=Subquery(latest.values("taken_at")[:1]),
                gas_passed=Subquery(latest.values("passed")[:1]),
            )
            .order_by(
                "organization__region__code",
                "organization__name",
                "organization_id",
                "planned_start",
            )
        )
        type_filter = request.GET.get("type", "")
        if type_filter in PermitType.values:
            rows = rows.filter(type=type_filter)
        permits = list(rows)
        groups: list[dict[str, Any]] = []
        counts: dict[str, int] = {}
        warnings = 0
        for p in permits:
            p.type_zh = TYPE_ZH.get(p.type, "")
            p.since = {S.IN_PROGRESS: p.started_at, S.PAUSED: p.paused_at}.get(
                p.state
            ) or p.planned_start
            p.left = _duration(p.planned_end - now)
            p.ending = p.left["total"] < 60
            limit = int(p.level_rule.get("analysis_max_age_minutes", 30))
            p.gas_age = _minutes_since(p.gas_at, now)
            p.gas_warn = (
                p.state == S.IN_PROGRESS
                and p.gas_required
                and (p.gas_at is None or (p.gas_age or 0) > limit or not p.gas_passed)
            )
            warnings += int(p.gas_warn)
            counts[p.type] = counts.get(p.type, 0) + 1
            org = p.organization
            village = org.region
            if not groups or groups[-1]["region"].pk != village.pk:
                groups.append({"region": village, "orgs": []})
            orgs = groups[-1]["orgs"]
            if not orgs or orgs[-1]["org"].pk != org.pk:
                orgs.append({"org": org, "permits": []})
            orgs[-1]["permits"].append(p)
        ctx = {
            "groups": groups,
            "n": len(permits),
            "n_orgs": len({p.organization_id for p in permits}),
            "counts": [
                {"code": code, "label": label, "n": counts[code]}
                for code, label in PermitType.choices
                if code in counts
            ],
            "warnings": warnings,
            "many_orgs": _many_orgs(user),
            "now": now,
            "type_filter": type_filter,
            "type_choices": PermitType.choices,
            "in_progress": sum(1 for p in permits if p.state == S.IN_PROGRESS),
        }
        template = "permits/_board.html" if _is_fragment(request) else "permits/board.html"
        response = render(request, template, ctx)
        patch_vary_headers(response, ("HX-Request",))
        return response


# ---------------------------------------------------------------- rules


def _township_for(user):
    """The township whose rules the user sees: one they set the rules of, else their own."""
    townships = []
    for membership in access.memberships(user):
        township = actions.township_of(membership.organization.region)
        if township is not None and township not in townships:
            townships.append(township)
    for township in townships:
        if access.allows_region(user, actions.RULES_RESOURCE, access.CHANGE, township):
            return township
    return townships[0] if townships else None


class RulesView(RestrictedViewMixin, View):
    """The permit rules in force: per type the levels (validity, break limit, approval
    chain), the measures checklist, the gas limits, each with its source and whether it
    was verified against the standard. The township's safety officers change validity,
    breaks, chains and gas limits (a new version; permits keep the rules they were made
    under); everyone else who reads permits reads them."""

    model = PermitRules
    resource = RESOURCE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            access.can(request.user, RESOURCE, access.VIEW)
            or access.can(request.user, actions.RULES_RESOURCE, access.VIEW)
        ):
            raise PermissionDenied
        return super(RestrictedViewMixin, self).dispatch(request, *args, **kwargs)

    def _context(self, user, township, data=None, errors=None) -> dict[str, Any]:
        rules = actions.rules_for(township)
        editable = township is not None and access.allows_region(
            user, actions.RULES_RESOURCE, access.CHANGE, township
        )
        data = data if data is not None else rules.data
        steps = [
            {
                "code": code,
                "label": R.text(step),
                "roles": [_role_label(r) for r in step.get("roles", [])],
            }
            for code, step in data.get("steps", {}).items()
        ]
        types = []
        for type_rule in data["types"]:
            levels = []
            for level in type_rule["levels"]:
                levels.append(
                    {
                        "key": f"{type_rule['code']}__{level['code']}",
                        "code": level["code"],
                        "label": R.text(level),
                        "validity_hours": level.get("validity_hours"),
                        "break_minutes": level.get("break_minutes", 0),
                        "chain": [
                            {
                                "code": s["code"],
                                "label": s["label"],
                                "on": s["code"] in level.get("chain", []),
                            }
                            for s in steps
                        ],
                        "chain_labels": [
                            s["label"] for s in steps if s["code"] in level.get("chain", [])
                        ],
                    }
                )
            types.append(
                {
                    "code": type_rule["code"],
                    "label": PermitType(type_rule["code"]).label,
                    "zh": TYPE_ZH.get(type_rule["code"], ""),
                    "prefix": type_rule.get("prefix", ""),
                    "gas": bool(type_rule.get("gas_analysis")),
                    "source": type_rule.get("source", ""),
                    "verified": bool(type_rule.get("verified")),
                    "levels": levels,
                    "measures": type_rule.get("measures", []),
                }
            )
        history = (
            list(
                PermitRules.objects.filter(region=township)
                .select_related("created_by")
                .order_by("-version")
            )
            if township is not None
            else []
        )
        limits = data["gas_limits"]
        return {
            "township": township,
            "rules": rules,
            "own": rules.region_id is not None,
            "editable": editable,
            "types": types,
            "steps": steps,
            "limits": limits,
            "combustible": list(enumerate(limits.get("combustible", []))),
            "toxic": sorted(limits.get("toxic_mg_m3", {}).items()),
            "analysis_max_age": data.get("analysis_max_age_minutes", 30),
            "source": data.get("source", ""),
            "history": history,
            "errors": errors or [],
        }

    def get(self, request):
        township = _township_for(request.user)
        return render(request, "permits/rules.html", self._context(request.user, township))

    def post(self, request):
        user = request.user
        township = _township_for(user)
        if township is None or not access.allows_region(
            user, actions.RULES_RESOURCE, access.CHANGE, township
        ):
            raise PermissionDenied(_("Only the township's safety officers set its permit rules."))
        current = actions.rules_for(township)
        data, errors = F.rules_from_post(current.data, request.POST)
        if not errors:
            try:
                saved = actions.save_rules(by=user, region=township, data=data)
            except Invalid as exc:
                errors = [str(m) for msgs in exc.fields.values() for m in msgs] or [
                    str(exc.message)
                ]
            except Forbidden as exc:
                raise PermissionDenied(str(exc.message)) from exc
            else:
                if saved.pk == current.pk:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(version)s of the permit rules is in force from now on. "
                            "Permits already made keep their rules."
                        )
                        % {"version": saved.version},
                    )
                return redirect("permits:rules")
        ctx = self._context(user, township, data=data, errors=errors)
        return render(request, "permits/rules.html", ctx, status=400)


urlpatterns = [
    path("", PermitListView.as_view(), name="list"),
    path("new/", PermitCreateView.as_view(), name="create"),
    path("level-preview/", LevelPreviewView.as_view(), name="level_preview"),
    path("board/", BoardView.as_view(), name="board"),
    path("rules/", RulesView.as_view(), name="rules"),
    path("<int:pk>/", PermitDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", PermitEditView.as_view(), name="edit"),
    path("<int:pk>/<slug:action>/", PermitActionView.as_view(), name="action"),
]
