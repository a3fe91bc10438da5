"""Government inspection rounds: plan (by criteria or by the 双随机 draw), follow, verify.

Rows come only through ``restrict(user, action)``; the round and its
assignments are made by :func:`anpai.inspections.rounds.plan_round`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from anpai.core import access
from anpai.core.errors import ActionError
from anpai.core.views import RestrictedViewMixin
from anpai.inspections import rounds
from anpai.inspections.choices import InspectionKind, InspectionState
from anpai.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionRound,
    RoundAssignment,
)
from anpai.orgs.choices import FLAGS
from anpai.orgs.models import Industry, Organization
from anpai.people.models import User
from anpai.regions.choices import RegionLevel
from anpai.regions.models import Region

RESOURCE = rounds.RESOURCE
GOV_KINDS = [
    (k.value, k.label)
    for k in (
        InspectionKind.TOWNSHIP,
        InspectionKind.DEPARTMENT,
        InspectionKind.JOINT,
        InspectionKind.UNANNOUNCED,
    )
]
ALL, RANDOM = "all", "random"


def _select(**attrs):
    return forms.Select(attrs={"class": "form-select", **attrs})


def _date():
    return forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    """A round's plan: what, when, which organisations (criteria), and how they are chosen."""

    organization = forms.ModelChoiceField(
        label=gettext_lazy("planned by"), queryset=Organization.objects.none(), widget=_select()
    )
    name = forms.CharField(
        label=gettext_lazy("name"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=GOV_KINDS, widget=_select())
    template = forms.ModelChoiceField(
        label=gettext_lazy("checklist"),
        queryset=ChecklistTemplate.objects.none(),
        required=False,
        widget=_select(),
    )
    starts_on = forms.DateField(label=gettext_lazy("from"), widget=_date())
    ends_on = forms.DateField(label=gettext_lazy("to"), widget=_date())
    industries = forms.ModelMultipleChoiceField(
        label=gettext_lazy("industries"),
        queryset=Industry.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    villages = forms.ModelMultipleChoiceField(
        label=gettext_lazy("villages"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    flags = forms.MultipleChoiceField(
        label=gettext_lazy("flags (all of)"),
        choices=FLAGS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_major = forms.IntegerField(
        label=gettext_lazy("open major hazards, at least"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text=gettext_lazy("A risk proxy: organisations with that many open major hazards."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("choose"),
        choices=[
            (ALL, gettext_lazy("every matching organisation")),
            (RANDOM, gettext_lazy("random draw (双随机)")),
        ],
        initial=RANDOM,
        widget=forms.RadioSelect,
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("inspectors (pool for the draw)"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    n_orgs = forms.IntegerField(
        label=gettext_lazy("organisations to draw"),
        min_value=1,
        required=False,
        initial=5,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    per_org = forms.IntegerField(
        label=gettext_lazy("inspectors per organisation"),
        min_value=1,
        required=False,
        initial=2,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("random seed"),
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control font-monospace"}),
        help_text=gettext_lazy("Recorded with the draw: the same seed repeats the same draw."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        planning = rounds.planning_orgs(user)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in planning]
        )
        self.fields["organization"].label_from_instance = lambda o: o.name
        self.single_org = planning[0] if len(planning) == 1 else None
        if self.single_org is not None:
            # Nothing to choose: the user's own organisation plans the round.
            self.fields["organization"].required = False
            self.fields["organization"].widget = forms.HiddenInput()
        self.fields["template"].queryset = (
            ChecklistTemplate.objects.restrict(user, access.VIEW).current().order_by("name")
        )
        in_scope = Organization.objects.restrict(user, access.VIEW)
        self.fields["villages"].queryset = Region.objects.filter(
            level=RegionLevel.VILLAGE, pk__in=in_scope.values("region_id")
        ).order_by("code")
        self.fields["villages"].label_from_instance = lambda r: r.name
        self.fields["inspectors"].queryset = rounds.inspector_choices(user)
        self.fields["inspectors"].label_from_instance = lambda u: u.get_full_name()

    def clean_organization(self):
        return self.cleaned_data.get("organization") or self.single_org

    def clean(self):
        data = super().clean()
        if data.get("organization") is None and "organization" not in self.errors:
            self.add_error("organization", _("Choose the organisation planning the round."))
        if data.get("mode") == RANDOM:
            for name in ("n_orgs", "per_org"):
                if not data.get(name):
                    self.add_error(name, _("Required for a random draw."))
        return data

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "industries": sorted(i.pk for i in data.get("industries") or ()),
            "villages": sorted(r.pk for r in data.get("villages") or ()),
            "flags": sorted(data.get("flags") or ()),
            "min_major": data.get("min_major") or 0,
        }


class RoundListView(RestrictedViewMixin, ListView):
    """Rounds in scope with their progress (planned / completed)."""

    model = InspectionRound
    resource = RESOURCE
    template_name = "inspections/round_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = InspectionRound.objects.restrict(self.request.user, access.VIEW)
        return (
            rounds.with_progress(qs)
            .select_related("organization", "template")
            .order_by("-starts_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = access.can(self.request.user, RESOURCE, access.ADD)
        return ctx


class RoundCreateView(RestrictedViewMixin, FormView):
    """Plan a round. "Preview" shows the candidates and the draw without saving; the same
    seed then saves exactly that draw."""

    resource = RESOURCE
    permission_action = access.ADD
    form_class = RoundForm
    template_name = "inspections/round_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        today = timezone.localdate()
        return {
            "starts_on": today,
            "ends_on": today + timedelta(days=14),
            "seed": rounds.new_seed(),
            "kind": InspectionKind.TOWNSHIP,
        }

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        is_random = data["mode"] == RANDOM
        pool = [u.pk for u in data["inspectors"]]
        if "preview" in self.request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, preview=self._preview(form, pool, is_random))
            )
        try:
            rnd = rounds.plan_round(
                by=user,
                organization=data["organization"],
                name=data["name"],
                kind=data["kind"],
                template=data["template"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                criteria=form.criteria(),
                inspectors=pool,
                is_random=is_random,
                n_orgs=data.get("n_orgs") or 0,
                per_org=data.get("per_org") or 0,
                seed=data.get("seed") if data.get("seed") is not None else None,
            )
        except ActionError as exc:
            for field, errors in exc.fields.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
            if not exc.fields:
                form.add_error(None, str(exc.message))
            return self.form_invalid(form)
        messages.success(self.request, _("Inspection round planned."))
        return redirect("inspections:round_detail", pk=rnd.pk)

    def _preview(self, form, pool: list[int], is_random: bool) -> dict[str, Any]:
        data = form.cleaned_data
        matching = list(rounds.candidates(self.request.user, form.criteria()).only("pk", "name"))
        result: dict[str, Any] = {"candidates": matching, "picks": []}
        if is_random and matching and pool and data.get("seed") is not None:
            names = {o.pk: o.name for o in matching}
            people = {u.pk: u.get_full_name() for u in data["inspectors"]}
            picks = rounds.draw(
                [o.pk for o in matching], pool, data["n_orgs"], data["per_org"], data["seed"]
            )
            result["picks"] = [
                {
                    "organization": names[p["organization"]],
                    "inspectors": [people[i] for i in p["inspectors"]],
                }
                for p in picks
            ]
        return result


def _create_url(params: dict[str, Any]) -> str:
    try:
        base = reverse("inspections:create")
    except NoReverseMatch:  # the inspection pages are another part of the app
        base = "/inspections/new/"
    return f"{base}?{urlencode(params)}"


class RoundDetailView(RestrictedViewMixin, DetailView):
    """A round: its assignments with completion, and its draw record."""

    model = InspectionRound
    resource = RESOURCE
    template_name = "inspections/round_detail.html"

    def get_queryset(self):
        return rounds.with_progress(super().get_queryset()).select_related(
            "organization", "template", "created_by"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rnd = self.object
        submitted = Inspection.objects.filter(
            assignment_id=OuterRef("pk"), state=InspectionState.SUBMITTED
        ).order_by("date", "pk")
        assignments = list(
            RoundAssignment.objects.filter(round=rnd)
            .annotate(done=Exists(submitted), inspection_id=Subquery(submitted.values("pk")[:1]))
            .select_related("organization")
            .prefetch_related(Prefetch("inspectors", queryset=User.objects.order_by("full_name")))
        )
        may_inspect = access.can(self.request.user, "inspections.inspection", access.ADD)
        for a in assignments:
            params = {"organization": a.organization_id, "kind": rnd.kind, "assignment": a.pk}
            if rnd.template_id:
                params["template"] = rnd.template_id
            a.start_url = _create_url(params) if may_inspect and not a.done else ""
        record = rnd.draw or {}
        pool_ids = record.get("inspector_pool", [])
        ctx.update(
            assignments=assignments,
            percent=round(100 * rnd.completed / rnd.planned) if rnd.planned else None,
            record=record,
            pool=list(User.objects.filter(pk__in=pool_ids).order_by("full_name")),
            candidate_count=len(record.get("candidates", [])),
        )
        return ctx


class RoundVerifyView(RestrictedViewMixin, View):
    """Re-run the draw from the round's record and say whether it gives the same picks."""

    model = InspectionRound
    resource = RESOURCE

    def post(self, request, pk):
        rnd = self.get_object()
        if not rnd.is_random:
            messages.info(request, _("This round was not drawn at random."))
        else:
            repeats, same_plan = rounds.verify_round(rnd)
            if repeats and same_plan:
                messages.success(
                    request,
                    _(
                        "Draw verified: seed %(seed)s re-drawn from the record gives the same "
                        "organisations and inspectors, and the plan matches it."
                    )
                    % {"seed": rnd.draw.get("seed")},
                )
            elif repeats:
                messages.warning(
                    request,
                    _(
                        "The draw repeats from its record, but the planned inspections have "
                        "been changed since."
                    ),
                )
            else:
                messages.error(request, _("The draw does NOT match its record."))
        return redirect("inspections:round_detail", pk=rnd.pk)
