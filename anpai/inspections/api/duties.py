"""``GET /api/v1/inspection-duties/``: inspection duties in scope, with their current period.

Read-only: duties are assigned on the enterprise's duty page. Rows come
through ``InspectionDuty.objects.restrict(user, "view")``; each carries its
current period (``start``, ``end``, ``state``) and how many periods were done
and missed, computed in the list query itself.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from anpai.core import access
from anpai.core.api import ERROR_RESPONSES, RestrictedReadOnlyViewSet
from anpai.inspections import cadence
from anpai.inspections.choices import Cadence, PeriodState
from anpai.inspections.models import InspectionDuty


class CurrentPeriodSerializer(serializers.Serializer):
    """The period of the duty that contains today."""

    id = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    state = serializers.ChoiceField(choices=PeriodState.choices)


class InspectionDutySerializer(serializers.ModelSerializer):
    """A duty: who inspects the organisation how often with which checklist."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    cadence_display = serializers.CharField(source="get_cadence_display", read_only=True)
    person_name = serializers.SerializerMethodField()
    current_period = serializers.SerializerMethodField()
    done = serializers.IntegerField(read_only=True, help_text=_("Periods done so far."))
    missed = serializers.IntegerField(read_only=True, help_text=_("Periods missed so far."))

    class Meta:
        model = InspectionDuty
        fields = [
            "id", "organization", "organization_name", "cadence", "cadence_display", "person",
            "person_name", "role", "template_code", "starts_on", "is_active", "current_period",
            "done", "missed",
        ]  # fmt: skip
        read_only_fields = fields

    def get_person_name(self, duty) -> str:
        return duty.person.get_full_name() if duty.person_id else ""

    @extend_schema_field(CurrentPeriodSerializer(allow_null=True))
    def get_current_period(self, duty):
        if not getattr(duty, "current_id", None):
            return None
        return {
            "id": duty.current_id,
            "start": duty.current_start.isoformat(),
            "end": duty.current_end.isoformat(),
            "state": duty.current_state,
        }


class InspectionDutyFilterSet(django_filters.FilterSet):
    """Filters of the duty list: organisation, cadence level, state of the current period."""

    # A number, not a model choice: an id outside the scope must not be told apart.
    organization = django_filters.NumberFilter(
        field_name="organization_id", label=_("organisation id")
    )
    cadence = django_filters.ChoiceFilter(choices=Cadence.choices)
    state = django_filters.ChoiceFilter(
        choices=PeriodState.choices, field_name="current_state", label=_("current period state")
    )
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = InspectionDuty
        fields = ["organization", "cadence", "state", "is_active"]


@extend_schema(tags=["inspections"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List inspection duties"),
        description=_(
            "Duties within your scope (季查/月查/旬查/周查/日查) with the current period and "
            "the numbers of periods done and missed."
        ),
        responses={200: InspectionDutySerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One inspection duty"),
        description=_("404 when the duty is outside your scope."),
        responses={200: InspectionDutySerializer, **ERROR_RESPONSES},
    ),
)
class InspectionDutyViewSet(RestrictedReadOnlyViewSet):
    """Inspection duties within the user's scope, with their period status."""

    resource = "inspections.inspectionduty"
    queryset = InspectionDuty.objects.none()
    serializer_class = InspectionDutySerializer
    filterset_class = InspectionDutyFilterSet

    def get_queryset(self):
        qs = InspectionDuty.objects.restrict(self.request.user, access.VIEW)
        return (
            cadence.with_status(qs)
            .select_related("organization", "person")
            .order_by("organization__name", "cadence", "pk")
        )
