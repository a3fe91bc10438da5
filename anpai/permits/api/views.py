"""Permits API: the list and detail, apply and change a draft, and one endpoint per
step of the permit's life (submit, approve, reject, measures, briefing, gas analysis,
start, pause, resume, complete, cancel).

The views parse input and call :mod:`anpai.permits.actions`; every rule lives
there. Errors: outside your scope 404, your role may not 403, the permit's state
or a rule of GB 30871 refuses the step 409 (the message names the rule), bad
input 400 per field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anpai.core import access
from anpai.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    ErrorSerializer,
    RestrictedViewSetMixin,
)
from anpai.core.errors import Invalid
from anpai.permits import actions
from anpai.permits.api.serializers import (
    LEVEL_CODES,
    GasAnalysisSerializer,
    PermitApproveSerializer,
    PermitBriefingSerializer,
    PermitCancelSerializer,
    PermitCompleteSerializer,
    PermitGasAnalysisInputSerializer,
    PermitInputSerializer,
    PermitListSerializer,
    PermitMeasuresSerializer,
    PermitPauseSerializer,
    PermitRejectSerializer,
    PermitSerializer,
)
from anpai.permits.choices import PermitState, PermitType
from anpai.permits.models import Approval, GasAnalysis, Permit, PermitEvent

CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Refused by the permit's state or by a rule of GB 30871; the message names the rule."
    ),
)
STEP_RESPONSES = {200: PermitSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT}


class PermitFilterSet(filters.FilterSet):
    """The API's filters: organisation, type, level, state and the planned dates."""

    organization = filters.NumberFilter(
        field_name="organization_id", help_text=_("Organisation id.")
    )
    type = filters.ChoiceFilter(choices=PermitType.choices)
    level = filters.ChoiceFilter(choices=[(code, code) for code in LEVEL_CODES])
    state = filters.MultipleChoiceFilter(
        choices=PermitState.choices, help_text=_("Repeatable: ?state=approved&state=in_progress.")
    )
    planned_from = filters.DateFilter(
        method="filter_from",
        help_text=_("Permits whose planned window ends on or after this day."),
    )
    planned_to = filters.DateFilter(
        method="filter_to",
        help_text=_("Permits whose planned window starts on or before this day."),
    )
    risk_point = filters.NumberFilter(field_name="risk_point_id", help_text=_("Risk point id."))

    class Meta:
        model = Permit
        fields = ["organization", "type", "level", "state", "risk_point"]

    @staticmethod
    def _midnight(day) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    def filter_from(self, queryset: QuerySet[Permit], name: str, value) -> QuerySet[Permit]:
        return queryset.filter(planned_end__gte=self._midnight(value))

    def filter_to(self, queryset: QuerySet[Permit], name: str, value) -> QuerySet[Permit]:
        return queryset.filter(planned_start__lt=self._midnight(value + timedelta(days=1)))


def _step_schema(summary, request, description="", responses=None):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses=responses or STEP_RESPONSES,
    )


@extend_schema(tags=["permits"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List work permits"),
        description=_(
            "Hazardous-work permits (特殊作业票) within your scope, the latest planned first."
        ),
        responses={200: PermitListSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One work permit"),
        description=_(
            "Everything on the permit: its level rule, approval chain with who signed and "
            "the next step, workers, measures, gas analyses with their verdicts, approvals, "
            "history, and the steps you may take now. 404 outside your scope."
        ),
        responses={200: PermitSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Apply for a work permit"),
        description=_(
            "Makes a draft. The level follows from ``answers`` (hot work: ``area`` and "
            "``night_or_holiday``; work at height: ``height_m``; lifting: ``mass_t``); the "
            "planned window must fit the level's validity (e.g. 72 hours for level 2 hot "
            "work). The measures checklist of the type is added to confirm on site."
        ),
        request=PermitInputSerializer,
        responses={201: PermitSerializer, **WRITE_ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary=_("Change a draft"),
        description=_(
            "Only a draft (or a permit sent back) can change; only the fields sent change. "
            "Sending ``workers`` or ``linked`` replaces them. Send ``version`` to be told "
            "(409) if someone changed the permit meanwhile."
        ),
        request=PermitInputSerializer,
        responses={200: PermitSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    ),
)
class PermitViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Work permits (作业票) within the user's scope, and the steps of their life."""

    resource = actions.RESOURCE
    queryset = Permit.objects.none()
    serializer_class = PermitSerializer
    filterset_class = PermitFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        **RestrictedViewSetMixin.action_permissions,
        "submit": access.CHANGE,
        "approve": actions.APPROVE,
        "reject": actions.APPROVE,
        "measures": actions.WORK,
        "briefing": actions.WORK,
        "gas_analysis": actions.WORK,
        "start": actions.WORK,
        "pause": actions.WORK,
        "resume": actions.WORK,
        "complete": actions.WORK,
        "cancel": actions.CANCEL,
    }

    def get_serializer_class(self):
        return PermitListSerializer if self.action == "list" else PermitSerializer

    def get_queryset(self):
        return self._rows(full=self.action != "list")

    def _rows(self, *, full: bool) -> QuerySet[Permit]:
        rows = (
            Permit.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization", "applicant", "risk_point", "rules")
            .prefetch_related(
                Prefetch(
                    "approvals",
                    queryset=Approval.objects.filter(is_current=True).select_related("approver"),
                    to_attr="current_approvals",
                ),
                Prefetch("linked", queryset=Permit.objects.only("id", "number", "type", "state")),
            )
        )
        if not full:
            return rows
        return rows.prefetch_related(
            "workers",
            "measures",
            Prefetch(
                "analyses",
                queryset=GasAnalysis.objects.select_related("recorded_by").order_by(
                    "-taken_at", "-id"
                ),
            ),
            Prefetch("approvals", queryset=Approval.objects.select_related("approver")),
            Prefetch("events", queryset=PermitEvent.objects.select_related("actor")),
        )

    def _fresh(self, pk: int) -> dict:
        return PermitSerializer(
            self._rows(full=True).get(pk=pk), context=self.get_serializer_context()
        ).data

    # ------------------------------------------------------------ drafting

    def create(self, request, *args, **kwargs):
        serializer = PermitInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        permit = actions.create(
            by=request.user,
            organization=data["organization"],
            type=data["type"],
            **serializer.action_kwargs(),
        )
        return Response(self._fresh(permit.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        permit = self.get_object()  # 404 outside the scope, 403 seen but not changed
        context = {**self.get_serializer_context(), "permit": permit}
        serializer = PermitInputSerializer(data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        actions.update(permit.pk, by=request.user, **serializer.action_kwargs())
        return Response(self._fresh(permit.pk))

    # ------------------------------------------------------------ steps

    def _step(
        self,
        request,
        serializer_class: type | None,
        call: Callable[[int, dict[str, Any]], Any],
        rename: dict[str, str] | None = None,
    ) -> Response:
        """Gate (404/403), parse (400), then run the step; its refusals answer 409."""
        permit = self.get_object()
        data: dict[str, Any] = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        try:
            call(permit.pk, data)
        except Invalid as exc:
            # The action names its own fields; answer with the names the client sent.
            for theirs, ours in (rename or {}).items():
                if theirs in exc.fields:
                    exc.fields[ours] = exc.fields.pop(theirs)
            raise
        return Response(self._fresh(permit.pk))

    @_step_schema(
        _("Submit for approval"),
        None,
        _(
            "The person in charge, the guardian (not one of the workers), the hazard "
            "identification and at least one worker are required. Gives the permit its number."
        ),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, None, lambda p, d: actions.submit(p, by=request.user))

    @_step_schema(
        _("Sign the next step of the approval chain"),
        PermitApproveSerializer,
        _(
            "Steps sign in the order of the level's chain, each by a role it names and by a "
            "different person; nobody approves their own permit. A worker's certificate "
            "expiring before the planned end refuses it (409). The last signature approves."
        ),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(
            request, PermitApproveSerializer, lambda p, d: actions.approve(p, by=request.user, **d)
        )

    @_step_schema(
        _("Send back to the applicant"),
        PermitRejectSerializer,
        _("The permit becomes a draft again; the signatures so far no longer count."),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(
            request, PermitRejectSerializer, lambda p, d: actions.reject(p, by=request.user, **d)
        )

    @_step_schema(
        _("Confirm the safety measures"),
        PermitMeasuresSerializer,
        _("Whether each measure applies and who confirmed it on site, before work starts."),
    )
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        return self._step(
            request,
            PermitMeasuresSerializer,
            lambda p, d: actions.confirm_measures(
                p, by=request.user, measures=[dict(m) for m in d["measures"]]
            ),
        )

    @_step_schema(
        _("Record the safety briefing (安全交底)"),
        PermitBriefingSerializer,
        _("Who gave the briefing and who received it, before work starts."),
    )
    @action(detail=True, methods=["post"])
    def briefing(self, request, pk=None):
        return self._step(
            request,
            PermitBriefingSerializer,
            lambda p, d: actions.record_briefing(p, by=request.user, **d),
            rename={"briefing_given_by": "given_by", "briefing_received_by": "received_by"},
        )

    @extend_schema(
        summary=_("Record a gas analysis"),
        description=_(
            "Judged against the limits in force: combustible gas by the medium's lower "
            "explosive limit class, oxygen 19.5–21 %, toxic gases by their limits. Answers "
            "the analysis with its verdict (``passed``, ``failures``). Hot work and "
            "confined-space work start only with a passing analysis taken within 30 minutes."
        ),
        request=PermitGasAnalysisInputSerializer,
        responses={201: GasAnalysisSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="gas-analysis", url_name="gas-analysis")
    def gas_analysis(self, request, pk=None):
        permit = self.get_object()
        serializer = PermitGasAnalysisInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        analysis = actions.gas_analysis(
            permit.pk,
            by=request.user,
            taken_at=data["taken_at"],
            point=data["point"],
            lel_percent=data.get("lel_percent"),
            o2_percent=data.get("o2_percent"),
            toxic=dict(data.get("toxic") or {}),
            analyst=data["analyst"],
        )
        analysis = GasAnalysis.objects.select_related("recorded_by").get(pk=analysis.pk)
        return Response(GasAnalysisSerializer(analysis).data, status=status.HTTP_201_CREATED)

    @_step_schema(
        _("Start the work"),
        None,
        _(
            "Approved, within the planned window, every applicable measure confirmed, the "
            "briefing given, and for hot work and confined spaces a passing gas analysis "
            "taken within 30 minutes; hot work inside a confined space also needs that "
            "permit in progress. Otherwise 409 naming the rule."
        ),
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(request, None, lambda p, d: actions.start(p, by=request.user))

    @_step_schema(_("Pause the work"), PermitPauseSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._step(
            request, PermitPauseSerializer, lambda p, d: actions.pause(p, by=request.user, **d)
        )

    @_step_schema(
        _("Resume the work"),
        None,
        _(
            "After a break longer than the level's limit a new passing gas analysis is "
            "required; an expired permit cannot be resumed."
        ),
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._step(request, None, lambda p, d: actions.resume(p, by=request.user))

    @_step_schema(
        _("Complete the work (site accepted)"),
        PermitCompleteSerializer,
        _("Names who accepted the site after the work (完工验收)."),
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(
            request,
            PermitCompleteSerializer,
            lambda p, d: actions.complete(p, by=request.user, **d),
        )

    @_step_schema(
        _("Cancel the permit"),
        PermitCancelSerializer,
        _("With a reason; not while the work is in progress (pause it first)."),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(
            request, PermitCancelSerializer, lambda p, d: actions.cancel(p, by=request.user, **d)
        )
