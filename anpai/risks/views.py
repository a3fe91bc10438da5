"""Risk pages: the list of risk points, identifying and editing one, its page with the
assessment history and control measures, assessing it (with a live preview), the
risk control list (page and xlsx) and the township's assessment schemes.

Rows come only through ``restrict(user, action)``; every change is a function of
:mod:`anpai.risks.actions`, which re-checks scope, role and version. These views
parse input, call it and map its errors to pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.hazards.choices import OPEN_STATES, HazardLevel
from anpai.orgs.models import Organization
from anpai.regions.models import Region
from anpai.risks import actions, exports, links, scoring
from anpai.risks.choices import (
    LEVEL_CONTROL,
    AssessmentReason,
    MeasureKind,
    Method,
    PointKind,
    RiskLevel,
)
from anpai.risks.filtersets import RiskPointFilterSet, organizations_for
from anpai.risks.forms import (
    AssessForm,
    MeasureForm,
    PointForm,
    factor_values,
    scheme_from_post,
    scheme_rows,
)
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint, RiskScheme

RESOURCE = actions.RESOURCE
ASSESS = actions.ASSESS


def _action_error(exc: Forbidden | NotFound) -> None:
    """Forbidden → 403, NotFound → 404 (both carry a translated message)."""
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message)) from exc
    raise Http404(str(exc.message)) from exc


def _point(user, pk: int, action: str = access.VIEW, queryset=None) -> RiskPoint:
    """The point if ``user`` may ``action`` it; 404 outside their scope, 403 when they
    may see it but not do this."""
    base = queryset if queryset is not None else RiskPoint.objects.all()
    point = base.restrict(user, action).filter(pk=pk).first()
    if point is not None:
        return point
    if (
        action != access.VIEW
        and RiskPoint.objects.restrict(user, access.VIEW).filter(pk=pk).exists()
    ):
        raise PermissionDenied
    raise Http404


def _with_org(queryset=None):
    return (queryset if queryset is not None else RiskPoint.objects.all()).select_related(
        "organization__region__parent", "responsible_user"
    )


def _permissions(user, org: Organization) -> dict[str, bool]:
    on = access.roles_on_orgs(user, RESOURCE, [access.CHANGE, ASSESS], [org.pk]).get(org.pk, {})
    return {"can_change": bool(on.get(access.CHANGE)), "can_assess": bool(on.get(ASSESS))}


def _is_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


# ---------------------------------------------------------------- list


class RiskPointListView(RestrictedViewMixin, ListView):
    """The risk points in the user's scope, filtered. An htmx request gets the results only."""

    model = RiskPoint
    resource = RESOURCE
    template_name = "risks/list.html"
    fragment_template = "risks/_list_results.html"
    paginate_by = 50

    def get_queryset(self):
        base = (
            RiskPoint.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization__region")
            .annotate(
                open_hazards=Count(
                    "hazards", filter=Q(hazards__state__in=OPEN_STATES), distinct=True
                ),
                n_measures=Count("measures", filter=Q(measures__is_active=True), distinct=True),
            )
            .order_by("organization__name", "organization_id", "code", "id")
        )
        self.filterset = RiskPointFilterSet(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        return [self.fragment_template if _is_fragment(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        get = self.request.GET
        fields = self.filterset.form.fields
        active = {
            name: values
            for name in self.filterset.filters
            if (values := [v for v in get.getlist(name) if v.strip()])
        }
        ctx.update(
            fragment=_is_fragment(self.request),
            filter=self.filterset,
            active_filters=active,
            can_add=access.can(user, RESOURCE, access.ADD),
            selected={name: get.get(name, "") for name in self.filterset.filters},
            level_choices=fields["level"].choices[1:],
            kind_choices=PointKind.choices,
        )
        if not ctx["fragment"]:
            ctx.update(
                village_choices=list(fields["village"].queryset),
                organization_choices=list(fields["organization"].queryset[:501]),
            )
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response


# ---------------------------------------------------------------- create, edit, retire


class PointCreateView(RestrictedViewMixin, View):
    """Identify a new risk point; ``?organization=<pk>`` preselects the organisation."""

    model = RiskPoint
    resource = RESOURCE
    permission_action = access.ADD
    template_name = "risks/point_form.html"

    def _preselected(self, request) -> Organization | None:
        raw = request.GET.get("organization", "").strip()
        if not raw.isdigit():
            return None
        return organizations_for(request.user, access.ADD).filter(pk=raw).first()

    def get(self, request):
        form = PointForm(user=request.user, organization=self._preselected(request))
        return render(request, self.template_name, {"form": form, "point": None})

    def post(self, request):
        form = PointForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                point = actions.create_point(
                    by=request.user,
                    organization=form.cleaned_data["organization"],
                    **form.point_values(),
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(
                    request,
                    _("Risk point “%(name)s” identified. Assess it next.") % {"name": point.name},
                )
                return redirect("risks:detail", pk=point.pk)
        return render(request, self.template_name, {"form": form, "point": None}, status=400)


class PointEditView(RestrictedViewMixin, View):
    """Edit a risk point's facts; a form opened before someone else's change is refused."""

    model = RiskPoint
    resource = RESOURCE
    template_name = "risks/point_form.html"

    def get(self, request, pk: int):
        point = _point(request.user, pk, access.CHANGE, _with_org())
        form = PointForm(user=request.user, point=point)
        return render(request, self.template_name, {"form": form, "point": point})

    def post(self, request, pk: int):
        point = _point(request.user, pk, access.CHANGE, _with_org())
        form = PointForm(request.POST, user=request.user, point=point)
        if form.is_valid():
            try:
                actions.update_point(
                    point,
                    by=request.user,
                    version=form.cleaned_data.get("version"),
                    **form.point_values(),
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except Conflict as exc:
                messages.error(request, str(exc.message))
                return redirect("risks:edit", pk=point.pk)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, _("Risk point saved."))
                return redirect("risks:detail", pk=point.pk)
        return render(request, self.template_name, {"form": form, "point": point}, status=400)


class PointRetireView(RestrictedViewMixin, View):
    """POST: retire a point that no longer exists (kept with its history, off the lists)."""

    model = RiskPoint
    resource = RESOURCE

    def get(self, request, pk: int):
        return redirect("risks:detail", pk=pk)

    def post(self, request, pk: int):
        point = _point(request.user, pk, access.CHANGE)
        try:
            actions.deactivate_point(point, by=request.user)
        except (Forbidden, NotFound) as exc:
            _action_error(exc)
        messages.success(request, _("Risk point “%(name)s” retired.") % {"name": point.name})
        return redirect("risks:list")


# ---------------------------------------------------------------- detail


def _factor_rows(assessment: Assessment) -> list[dict[str, str]]:
    """Each factor of an assessment with its meaning in the scheme it was made with."""
    table = assessment.scheme.factors if assessment.scheme_id else {}
    rows = []
    for name in scoring.FACTORS.get(assessment.method, ()):
        value = str(assessment.factors.get(name, ""))
        option = next((o for o in table.get(name, []) if o["value"] == value), None)
        rows.append(
            {
                "name": name.upper(),
                "label": scoring.factor_label(assessment.method, name),
                "value": value,
                "meaning": scoring.meaning(option) if option else "",
            }
        )
    return rows


def _formula(method: str, factors: dict[str, Any], score: Any) -> str:
    names = scoring.FACTORS.get(method, ())
    product = " × ".join(str(factors.get(n, "?")) for n in names)
    letter = "D" if method == Method.LEC else "R"
    return f"{letter} = {product} = {score}"


class PointDetailView(RestrictedViewMixin, View):
    """One risk point: its facts, level, assessments, control measures, hazards and checks."""

    model = RiskPoint
    resource = RESOURCE

    def get(self, request, pk: int):
        user = request.user
        point = _point(user, pk, access.VIEW, _with_org())
        assessments = list(
            point.assessments.select_related("assessed_by", "scheme").order_by(
                "-assessed_at", "-id"
            )
        )
        for a in assessments:
            a.factor_rows = _factor_rows(a)
            a.formula = _formula(a.method, a.factors, scoring.format_score(a.score))
            a.band_rows = scoring.band_ranges(a.bands)
        measures = list(exports.active_measures().filter(point=point))
        groups = [
            {"kind": kind, "label": label, "measures": [m for m in measures if m.kind == kind]}
            for kind, label in MeasureKind.choices
        ]
        from anpai.hazards.models import Hazard

        hazards = list(
            links.open_hazards(point)
            .filter(pk__in=Hazard.objects.restrict(user, access.VIEW).values("pk"))
            .select_related("category")[:20]
        )
        ctx = {
            "point": point,
            "assessments": assessments,
            "latest": next((a for a in assessments if not a.residual), None),
            "latest_residual": next((a for a in assessments if a.residual), None),
            "measure_groups": [g for g in groups if g["measures"]],
            "n_measures": len(measures),
            "open_hazards": hazards,
            "missed_checks": list(links.missed_checks(point)[:10]),
            "can_report_hazard": access.org_allows(
                user, "hazards.hazard", access.ADD, point.organization
            ),
            "public_url": reverse("risk_public", args=[point.public_token]),
            **_permissions(user, point.organization),
        }
        return render(request, "risks/detail.html", ctx)


# ---------------------------------------------------------------- assessment


def _default_reason(point: RiskPoint, has_history: bool) -> str:
    """The likely reason: a major hazard found here, a flagged change, a review, the first."""
    if point.needs_reassessment:
        major_open = point.hazards.filter(level=HazardLevel.MAJOR, state__in=OPEN_STATES)
        return AssessmentReason.HAZARD if major_open.exists() else AssessmentReason.CHANGE
    return AssessmentReason.PERIODIC if has_history else AssessmentReason.INITIAL


def _preview(point: RiskPoint, method: str, values: dict[str, Any]) -> dict[str, Any]:
    """What the preview fragment shows: the result, or which factors are missing or wrong."""
    try:
        result, scheme = actions.preview(point, method, values)
    except Invalid as exc:
        return {"preview_errors": [str(m) for msgs in exc.fields.values() for m in msgs]}
    level = RiskLevel(result.level)
    return {
        "result": result,
        "result_score": scoring.format_score(result.score),
        "result_label": level.label,
        "result_control": LEVEL_CONTROL[level].label,
        "formula": _formula(method, result.factors, scoring.format_score(result.score)),
        "scheme": scheme,
    }


class AssessView(RestrictedViewMixin, View):
    """Assess a point with LEC or the matrix; the score and level show as factors change."""

    model = RiskPoint
    resource = RESOURCE
    template_name = "risks/assess.html"

    def _context(self, point: RiskPoint, form: AssessForm, method: str, scheme: RiskScheme):
        values = factor_values(form.data if form.is_bound else form.initial, method)
        return {
            "point": point,
            "form": form,
            "method": method,
            "scheme": scheme,
            "bands": scoring.band_ranges(scheme.bands),
            "preview_url": reverse("risks:assess_preview", args=[point.pk]),
            **_preview(point, method, values),
        }

    def get(self, request, pk: int):
        point = _point(request.user, pk, ASSESS, _with_org())
        previous = point.assessments.filter(residual=False).order_by("-assessed_at", "-id").first()
        method = request.GET.get("method") or (previous.method if previous else Method.LEC)
        if method not in Method.values:
            method = Method.LEC
        scheme = actions.scheme_for(point.organization.region, method)
        initial: dict[str, Any] = {
            "method": method,
            "reason": _default_reason(point, previous is not None),
            "residual": request.GET.get("residual") in ("on", "true", "1"),
        }
        if previous is not None and previous.method == method:
            initial.update(previous.factors)
        # Switching the method keeps the factors the other method shares (L).
        initial.update({k: v for k, v in factor_values(request.GET, method).items() if v})
        form = AssessForm(initial=initial, method=method, scheme_data=scheme.data)
        ctx = self._context(point, form, method, scheme)
        if _is_fragment(request) and request.GET.get("method"):
            return render(request, "risks/_assess_method.html", ctx)
        return render(request, self.template_name, ctx)

    def post(self, request, pk: int):
        point = _point(request.user, pk, ASSESS, _with_org())
        method = request.POST.get("method", "")
        if method not in Method.values:
            method = Method.LEC
        scheme = actions.scheme_for(point.organization.region, method)
        form = AssessForm(request.POST, method=method, scheme_data=scheme.data)
        if form.is_valid():
            try:
                assessment = actions.assess(
                    point,
                    by=request.user,
                    method=method,
                    values=form.values(),
                    residual=form.cleaned_data["residual"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(
                    request,
                    _("Assessed: %(score)s, %(level)s.")
                    % {
                        "score": scoring.format_score(assessment.score),
                        "level": RiskLevel(assessment.level).label,
                    },
                )
                return redirect("risks:detail", pk=point.pk)
        return render(
            request, self.template_name, self._context(point, form, method, scheme), status=400
        )


class AssessPreviewView(RestrictedViewMixin, View):
    """htmx: the score, level and colour the chosen factors give, nothing saved."""

    model = RiskPoint
    resource = RESOURCE

    def post(self, request, pk: int):
        point = _point(request.user, pk, ASSESS, _with_org())
        data = request.POST if request.method == "POST" else request.GET
        method = data.get("method", "")
        if method not in Method.values:
            ctx: dict[str, Any] = {
                "preview_errors": [_("Choose a method: LEC or the risk matrix.")]
            }
        else:
            ctx = _preview(point, method, factor_values(data, method))
        ctx["point"] = point
        return render(request, "risks/_assess_preview.html", ctx)

    get = post


# ---------------------------------------------------------------- control measures


class MeasureFormView(RestrictedViewMixin, View):
    """Add a control measure to a point, or change one of its measures."""

    model = RiskPoint
    resource = RESOURCE
    template_name = "risks/measure_form.html"

    def _load(self, request, pk: int, mid: int | None):
        point = _point(request.user, pk, access.CHANGE, _with_org())
        measure = None
        if mid is not None:
            measure = ControlMeasure.objects.filter(point=point, pk=mid, is_active=True).first()
            if measure is None:
                raise Http404
        return point, measure

    def get(self, request, pk: int, mid: int | None = None):
        point, measure = self._load(request, pk, mid)
        form = MeasureForm(point=point, measure=measure)
        return render(
            request, self.template_name, {"form": form, "point": point, "measure": measure}
        )

    def post(self, request, pk: int, mid: int | None = None):
        point, measure = self._load(request, pk, mid)
        form = MeasureForm(request.POST, point=point, measure=measure)
        if form.is_valid():
            try:
                actions.save_measure(
                    point, by=request.user, measure=measure, **form.measure_values()
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, _("Control measure saved."))
                return redirect(reverse("risks:detail", args=[point.pk]) + "#measures")
        ctx = {"form": form, "point": point, "measure": measure}
        return render(request, self.template_name, ctx, status=400)


class MeasureRemoveView(RestrictedViewMixin, View):
    model = RiskPoint
    resource = RESOURCE

    def get(self, request, pk: int, mid: int):
        return redirect("risks:detail", pk=pk)

    def post(self, request, pk: int, mid: int):
        point = _point(request.user, pk, access.CHANGE)
        try:
            actions.remove_measure(point, by=request.user, measure=mid)
        except (Forbidden, NotFound) as exc:
            _action_error(exc)
        messages.success(request, _("Control measure removed."))
        return redirect(reverse("risks:detail", args=[point.pk]) + "#measures")


# ---------------------------------------------------------------- control list


def _control_org(request, action: str) -> tuple[Organization | None, list[Organization]]:
    """The organisation chosen (``?organization=``) and those to choose from.

    An enterprise's staff have one organisation: it is theirs. An organisation
    outside the user's scope answers 404.
    """
    choices = list(
        organizations_for(request.user, action)
        .filter(risk_points__is_active=True)
        .distinct()
        .only("id", "name")
        .order_by("name")
    )
    raw = request.GET.get("organization", "").strip()
    if raw:
        if not raw.isdigit():
            raise Http404
        org = organizations_for(request.user, action).filter(pk=raw).first()
        if org is None:
            raise Http404
        return org, choices
    if len(choices) == 1 and not any(g.scope == access.REGION for g in access.grants(request.user)):
        return choices[0], choices
    return None, choices


class ControlListView(RestrictedViewMixin, View):
    """风险管控清单: one row per risk point with measures, grouped by organisation; printable."""

    model = RiskPoint
    resource = RESOURCE

    def get(self, request):
        user = request.user
        org, choices = _control_org(request, access.VIEW)
        points = list(exports.control_points(user, access.VIEW, org))
        groups = exports.grouped(points)
        ctx = {
            "organization": org,
            "organization_choices": choices,
            "groups": groups,
            "n_points": len(points),
            "n_without": exports.points_without_measures(user, access.VIEW, org),
            "kinds": MeasureKind.choices,
            "can_export": access.can(user, RESOURCE, access.EXPORT),
            "today": timezone.localdate(),
        }
        return render(request, "risks/control_list.html", ctx)


class ControlListXlsxView(RestrictedViewMixin, View):
    """The control list as xlsx (what the user may export), recorded in the audit trail."""

    model = RiskPoint
    resource = RESOURCE
    permission_action = access.EXPORT

    def get(self, request):
        org, _choices = _control_org(request, access.EXPORT)
        filters = {"organization": [str(org.pk)]} if org is not None else {}
        return exports.export_response(request.user, org, filters)


# ---------------------------------------------------------------- schemes


def _township_for(user) -> Region | None:
    """The township whose schemes the user sees: one they configure, else their own."""
    townships = []
    for membership in access.memberships(user):
        township = actions.township_of(membership.organization.region)
        if township is not None and township not in townships:
            townships.append(township)
    for township in townships:
        if actions.may_configure(user, township):
            return township
    return townships[0] if townships else None


class SchemesView(RestrictedViewMixin, View):
    """The LEC and matrix factor tables and level bands in force where the user works.

    The township's safety officers edit them (a new version each time; earlier
    assessments keep theirs) or go back to the shipped default; everyone else
    with access to risk points reads them.
    """

    model = RiskScheme
    resource = RESOURCE
    template_name = "risks/schemes.html"

    def _context(self, user, township, bound: dict[str, Any] | None = None) -> dict[str, Any]:
        editable = township is not None and actions.may_configure(user, township)
        methods = []
        history = {
            m: list(
                RiskScheme.objects.filter(method=m, region=township)
                .select_related("created_by")
                .order_by("-version")
            )
            if township is not None
            else []
            for m in Method.values
        }
        for method, label in Method.choices:
            scheme = actions.scheme_for(township, method)
            data = scheme.data
            errors: dict[str, list[str]] = {}
            if bound is not None and bound["method"] == method:
                data, errors = bound["data"], bound["errors"]
            methods.append(
                {
                    "method": method,
                    "label": label,
                    "scheme": scheme,
                    "own": scheme.region_id is not None,
                    "rows": scheme_rows(data, method, blanks=2 if editable else 0),
                    "bands": scoring.band_ranges(scheme.bands),
                    "errors": errors,
                    "history": history[method],
                    "open": bound is not None and bound["method"] == method,
                }
            )
        return {"township": township, "editable": editable, "methods": methods}

    def get(self, request):
        township = _township_for(request.user)
        return render(request, self.template_name, self._context(request.user, township))

    def post(self, request):
        user = request.user
        township = _township_for(user)
        if township is None or not actions.may_configure(user, township):
            raise PermissionDenied(
                _("Only the township's safety officers set its assessment scheme.")
            )
        method = request.POST.get("method", "")
        if method not in Method.values:
            raise Http404
        try:
            if request.POST.get("reset"):
                actions.reset_scheme(by=user, region=township, method=method)
                messages.success(
                    request,
                    _(
                        "%(method)s: back to the default scheme. "
                        "Assessments already made keep their level."
                    )
                    % {"method": Method(method).label},
                )
            else:
                data = scheme_from_post(request.POST, method)
                try:
                    scheme = actions.save_scheme(by=user, region=township, method=method, data=data)
                except Invalid as exc:
                    bound = {
                        "method": method,
                        "data": data,
                        "errors": {k: [str(m) for m in v] for k, v in exc.fields.items()},
                    }
                    ctx = self._context(user, township, bound)
                    return render(request, self.template_name, ctx, status=400)
                messages.success(
                    request,
                    _(
                        "%(method)s: version %(version)s is in force from now on. "
                        "Assessments already made keep their level."
                    )
                    % {"method": Method(method).label, "version": scheme.version},
                )
        except (Forbidden, NotFound) as exc:
            _action_error(exc)
        return HttpResponseRedirect(reverse("risks:schemes") + f"#scheme-{method}")

    def dispatch(self, request, *args, **kwargs):
        # Anyone who may read risk points reads the scheme; the admins' roles get 403.
        if request.user.is_authenticated and not (
            access.can(request.user, RESOURCE, access.VIEW)
            or access.can(request.user, actions.SCHEME_RESOURCE, access.VIEW)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


urlpatterns = [
    path("", RiskPointListView.as_view(), name="list"),
    path("new/", PointCreateView.as_view(), name="create"),
    path("<int:pk>/", PointDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", PointEditView.as_view(), name="edit"),
    path("<int:pk>/retire/", PointRetireView.as_view(), name="retire"),
    path("<int:pk>/assess/", AssessView.as_view(), name="assess"),
    path("<int:pk>/assess/preview/", AssessPreviewView.as_view(), name="assess_preview"),
    path("<int:pk>/measures/new/", MeasureFormView.as_view(), name="measure_add"),
    path("<int:pk>/measures/<int:mid>/", MeasureFormView.as_view(), name="measure_edit"),
    path("<int:pk>/measures/<int:mid>/remove/", MeasureRemoveView.as_view(), name="measure_remove"),
    path("control-list/", ControlListView.as_view(), name="control_list"),
    path("control-list.xlsx", ControlListXlsxView.as_view(), name="control_list_xlsx"),
    path("schemes/", SchemesView.as_view(), name="schemes"),
]
