"""Permit API serializers: the permit as listed and as read in full (its level rule,
approval chain, workers, measures, gas analyses, approvals, history and the steps
the caller may take), the permit as a client sends it, and one input per step.

Input is only parsed and type-checked here: :mod:`anpai.permits.actions` decides
what is required and allowed (scope, role, state, then the rules of GB 30871), so
the API answers as the pages do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anpai.core import access
from anpai.orgs.models import Organization
from anpai.people.models import User
from anpai.permits import actions
from anpai.permits import rules as R
from anpai.permits.choices import EventKind, PermitState, PermitType
from anpai.permits.models import (
    Approval,
    GasAnalysis,
    Permit,
    PermitEvent,
    PermitMeasure,
    PermitWorker,
)

STEP_CODES = ("unit", "safety", "principal")
ACTION_NAMES = (
    "edit",
    "submit",
    "approve",
    "reject",
    "measures",
    "briefing",
    "gas-analysis",
    "start",
    "pause",
    "resume",
    "complete",
    "cancel",
)
LEVEL_CODES = sorted({level["code"] for rule in R.defaults()["types"] for level in rule["levels"]})
LEVEL_HELP = _(
    "The level's code: hot work special, 1 or 2; work at height I–IV; lifting 1–3; "
    "single for the types with one level."
)
LEL_HELP = _(
    "The measured concentration of combustible gas, in % by volume (not % of the lower "
    "explosive limit). Passes at ≤ 0.5 % where the medium's lower explosive limit is 4 % "
    "or more, ≤ 0.2 % below (or when it is not known)."
)
O2_HELP = _("Oxygen, % by volume; passes within 19.5–21 %. Required in a confined space.")
TOXIC_HELP = _(
    "Toxic gases, name → mg/m³, e.g. {“H2S”: 5, “CO”: 12}; judged against the limits "
    "for H2S, CO, NH3, Cl2 and HCN."
)
VERSION_HELP = _(
    "The permit's version when you loaded it; if it changed meanwhile the answer is 409."
)


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


# Read-only codes are plain strings with their values in the description: a "state",
# "type", "kind" or "level" appears in several components (and apps), and an enum of
# each would collide in the schema's enum names.
def _code(values: list[str] | tuple[str, ...], help_text: Any = "", **kwargs: Any):
    listed = ", ".join(values)
    text = f"{help_text} ({listed})" if help_text else f"{listed}"
    return serializers.CharField(read_only=True, help_text=text, **kwargs)


# ---------------------------------------------------------------- reading


class PermitWorkerSerializer(serializers.ModelSerializer):
    """A worker with the certificate the work needs."""

    certificate_valid = serializers.SerializerMethodField(
        help_text=_("The certificate is valid until the planned end of the work.")
    )

    class Meta:
        model = PermitWorker
        fields = [
            "id", "name", "certificate_kind", "certificate_no", "certificate_expires",
            "certificate_valid",
        ]  # fmt: skip
        read_only_fields = fields

    def get_certificate_valid(self, obj: PermitWorker) -> bool:
        end = timezone.localtime(obj.permit.planned_end).date()
        return obj.certificate_expires >= end


class PermitMeasureSerializer(serializers.ModelSerializer):
    """A measure of the type's checklist and who confirmed it on site."""

    class Meta:
        model = PermitMeasure
        fields = ["id", "position", "text", "applicable", "confirmed_by", "confirmed_at"]
        read_only_fields = fields


class GasAnalysisSerializer(serializers.ModelSerializer):
    """A gas analysis with its verdict against the limits in force when it was recorded."""

    lel_percent = serializers.DecimalField(
        source="combustible_percent",
        max_digits=6,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text=LEL_HELP,
    )
    o2_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True, help_text=O2_HELP
    )
    toxic = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text=_("Toxic gases, name → mg/m³.")
    )
    passed = serializers.BooleanField(
        read_only=True, help_text=_("Every reading is within its limit.")
    )
    failures = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("What failed, one message per reading; empty when it passed."),
    )
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = GasAnalysis
        fields = [
            "id", "taken_at", "point", "lel_percent", "o2_percent", "toxic", "analyst",
            "passed", "failures", "recorded_by", "recorded_by_name", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_recorded_by_name(self, obj: GasAnalysis) -> str | None:
        return _person(obj.recorded_by)


class PermitApprovalSerializer(serializers.ModelSerializer):
    """One signature of the chain. ``is_current`` is false once the permit was sent back."""

    step = _code(STEP_CODES)
    approver_name = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id", "step", "position", "approver", "approver_name", "role", "opinion", "at",
            "is_current",
        ]  # fmt: skip
        read_only_fields = fields

    def get_approver_name(self, obj: Approval) -> str | None:
        return _person(obj.approver)


class PermitEventSerializer(serializers.ModelSerializer):
    """One step of the permit's history: who, when, from which state to which."""

    kind = _code(EventKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = PermitEvent
        fields = [
            "id", "kind", "kind_display", "from_state", "to_state", "actor", "actor_name",
            "comment", "data", "at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_actor_name(self, obj: PermitEvent) -> str | None:
        return _person(obj.actor)


class PermitLinkedSerializer(serializers.Serializer):
    """A linked operation, e.g. the confined-space permit of hot work inside it."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    type = _code(PermitType.values)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    state = _code(PermitState.values)
    state_display = serializers.CharField(source="get_state_display", read_only=True)


class PermitRuleSerializer(serializers.Serializer):
    """The level's rule the permit was made under (a frozen copy: later edits of the
    township's rules do not change it)."""

    level = _code(LEVEL_CODES)
    name = serializers.CharField(read_only=True, help_text=_("The level's name."))
    validity_hours = serializers.IntegerField(
        read_only=True, help_text=_("The longest planned window allowed.")
    )
    break_minutes = serializers.IntegerField(
        read_only=True,
        help_text=_("A longer break needs a new passing gas analysis before work resumes."),
    )
    gas_analysis = serializers.BooleanField(
        read_only=True, help_text=_("A passing gas analysis is required before work starts.")
    )
    analysis_max_age_minutes = serializers.IntegerField(
        read_only=True, help_text=_("How old that analysis may be when work starts.")
    )
    monitoring = serializers.CharField(
        read_only=True, allow_blank=True, help_text=_("“continuous” for special hot work.")
    )
    chain = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The approval steps, in order: unit, safety, principal."),
    )
    gas_limits = serializers.DictField(read_only=True)
    # A field named like DRF's own Field.source attribute (the declared field wins).
    source = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text=_("Where the rule comes from.")
    )
    verified = serializers.BooleanField(
        read_only=True, help_text=_("Checked against the standard's text.")
    )
    rules_version = serializers.IntegerField(read_only=True)
    rules_region = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The township whose rules; null: default.")
    )


class PermitChainStepSerializer(serializers.Serializer):
    """A step of the approval chain: who may sign it, and who signed it."""

    position = serializers.IntegerField(read_only=True)
    step = _code(STEP_CODES)
    name = serializers.CharField(read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    signed = serializers.BooleanField(read_only=True)
    is_next = serializers.BooleanField(read_only=True, help_text=_("The step that signs next."))
    approver = serializers.IntegerField(read_only=True, allow_null=True)
    approver_name = serializers.CharField(read_only=True, allow_null=True)
    role = serializers.CharField(read_only=True, allow_null=True)
    opinion = serializers.CharField(read_only=True, allow_null=True)
    at = serializers.DateTimeField(read_only=True, allow_null=True)


def rule_summary(permit: Permit) -> dict[str, Any]:
    rule = permit.level_rule or {}
    return {
        "level": permit.level,
        "name": R.text(rule) if rule else permit.level,
        "validity_hours": int(rule.get("validity_hours", 0)),
        "break_minutes": int(rule.get("break_minutes", 0)),
        "gas_analysis": bool(rule.get("gas_analysis")),
        "analysis_max_age_minutes": int(rule.get("analysis_max_age_minutes", 30)),
        "monitoring": str(rule.get("monitoring", "")),
        "chain": list(rule.get("chain", [])),
        "gas_limits": rule.get("gas_limits", {}),
        "source": str(rule.get("source", "")),
        "verified": bool(rule.get("verified", False)),
        "rules_version": permit.rules.version,
        "rules_region": permit.rules.region_id,
    }


def _current_approvals(permit: Permit) -> list[Approval]:
    rows = getattr(permit, "current_approvals", None)
    if rows is None:
        rows = list(permit.approvals.filter(is_current=True).select_related("approver"))
    return sorted(rows, key=lambda a: (a.position, a.at, a.pk))


def next_step(permit: Permit) -> str | None:
    """The step that signs next while the permit awaits approval; None otherwise."""
    if permit.state != PermitState.SUBMITTED:
        return None
    chain = permit.chain()
    signed = len(_current_approvals(permit))
    return chain[signed] if signed < len(chain) else None


def chain_steps(permit: Permit) -> list[dict[str, Any]]:
    signed = _current_approvals(permit)
    coming = next_step(permit)
    steps = (permit.level_rule or {}).get("steps", {})
    rows = []
    for position, step in enumerate(permit.chain()):
        approval = signed[position] if position < len(signed) else None
        entry = steps.get(step, {})
        rows.append(
            {
                "position": position,
                "step": step,
                "name": R.text(entry) if entry else step,
                "roles": list(entry.get("roles", [])),
                "signed": approval is not None,
                "is_next": approval is None and step == coming and position == len(signed),
                "approver": approval.approver_id if approval else None,
                "approver_name": _person(approval.approver) if approval else None,
                "role": approval.role if approval else None,
                "opinion": approval.opinion if approval else None,
                "at": approval.at if approval else None,
            }
        )
    return rows


class PermitListSerializer(serializers.ModelSerializer):
    """A permit as the list shows it."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    type = _code(PermitType.values)
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    level = _code(LEVEL_CODES, LEVEL_HELP)
    level_display = serializers.CharField(read_only=True)
    state = _code(PermitState.values)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    risk_point_name = serializers.CharField(
        source="risk_point.name", read_only=True, allow_null=True, default=None
    )
    applicant_name = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField(
        help_text=_("The approval step that signs next, while the permit awaits approval.")
    )
    linked = serializers.SerializerMethodField(help_text=_("Ids of the linked operations."))

    class Meta:
        model = Permit
        fields = [
            "id", "number", "organization", "organization_name", "type", "type_display",
            "level", "level_display", "state", "state_display", "unit", "content", "location",
            "risk_point", "risk_point_name", "planned_start", "planned_end", "applicant",
            "applicant_name", "person_in_charge", "guardian", "next_step", "linked",
            "submitted_at", "approved_at", "started_at", "paused_at", "completed_at",
            "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_applicant_name(self, obj: Permit) -> str | None:
        return _person(obj.applicant)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_next_step(self, obj: Permit) -> str | None:
        return next_step(obj)

    def get_linked(self, obj: Permit) -> list[int]:
        return sorted(p.pk for p in obj.linked.all())


class PermitSerializer(PermitListSerializer):
    """A permit in full: what the paper form holds, its level rule and approval chain,
    workers, measures, gas analyses, approvals, history, and the steps you may take now."""

    answers = serializers.DictField(
        read_only=True, help_text=_("The answers the level was derived from.")
    )
    medium_lel = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("The medium's lower explosive limit, % by volume."),
    )
    rule = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField()
    linked_permits = PermitLinkedSerializer(many=True, read_only=True, source="linked")
    workers = PermitWorkerSerializer(many=True, read_only=True)
    measures = PermitMeasureSerializer(many=True, read_only=True)
    analyses = GasAnalysisSerializer(
        many=True, read_only=True, help_text=_("Gas analyses, the latest first.")
    )
    approvals = PermitApprovalSerializer(
        many=True,
        read_only=True,
        help_text=_("Every signature in order, including those of rounds sent back."),
    )
    events = PermitEventSerializer(
        many=True, read_only=True, help_text=_("The history, oldest first.")
    )
    available_actions = serializers.SerializerMethodField(
        help_text=_(
            "The steps you may take on this permit now (the step's own rules still decide)."
        )
    )

    class Meta(PermitListSerializer.Meta):
        fields = [
            *PermitListSerializer.Meta.fields,
            "answers", "medium", "medium_lel", "guardian_certificate", "hazard_identification",
            "briefing_given_by", "briefing_received_by", "briefing_at", "accepted_by",
            "acceptance_note", "cancel_reason", "created_at", "rule", "chain",
            "linked_permits", "workers", "measures", "analyses", "approvals", "events",
            "available_actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(PermitRuleSerializer)
    def get_rule(self, obj: Permit) -> Any:
        return PermitRuleSerializer(rule_summary(obj)).data

    @extend_schema_field(PermitChainStepSerializer(many=True))
    def get_chain(self, obj: Permit) -> Any:
        return PermitChainStepSerializer(chain_steps(obj), many=True).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(ACTION_NAMES)))
    )
    def get_available_actions(self, obj: Permit) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return actions.available_actions(obj, request.user)


# ---------------------------------------------------------------- input


@extend_schema_field(OpenApiTypes.INT)
class _OrganizationField(serializers.PrimaryKeyRelatedField):
    """An organisation the requesting user may apply for permits for; others do not exist."""

    def get_queryset(self):
        user = self.context["request"].user
        q = access.scope_q(user, actions.RESOURCE, access.ADD, org_path="")
        return Organization.objects.filter(q) if q is not None else Organization.objects.none()


class PermitAnswersSerializer(serializers.Serializer):
    """What decides the level: the hot work's area and whether it is at night or on a
    holiday (one level higher), the working height, the mass of a lifted load."""

    area = serializers.ChoiceField(
        choices=[
            ("live_equipment", _("In live equipment (带压不置换): special")),
            ("hazardous_area", _("In a hazardous area: level 1")),
            ("other", _("Elsewhere: level 2")),
        ],
        required=False,
        help_text=_("Hot work only."),
    )
    night_or_holiday = serializers.BooleanField(
        required=False, help_text=_("Hot work at night or on a holiday: one level higher.")
    )
    height_m = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        min_value=Decimal(0),
        help_text=_("Work at height: the working height in metres (2 m or more)."),
    )
    mass_t = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        min_value=Decimal(0),
        help_text=_("Lifting: the mass of the load in tonnes."),
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # Stored as JSON on the permit: numbers as their decimal strings.
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


class PermitWorkerInputSerializer(serializers.Serializer):
    """A worker: the action requires the name, the certificate number and its expiry."""

    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    certificate_kind = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text=_("E.g. 焊接与热切割作业, 高处作业, 电工作业."),
    )
    certificate_no = serializers.CharField(max_length=50, required=False, allow_blank=True)
    certificate_expires = serializers.DateField(required=False, allow_null=True)


class PermitInputSerializer(serializers.Serializer):
    """A permit as a client sends it: to apply (POST, a draft) or to change a draft (PATCH).

    The level follows from ``answers``; the planned window must fit the level's validity.
    """

    organization = _OrganizationField(
        required=False,
        help_text=_("Organisation id; an enterprise's own staff may leave it out. Set once."),
    )
    type = serializers.ChoiceField(
        choices=PermitType.choices, help_text=_("The operation type. Set once.")
    )
    answers = PermitAnswersSerializer(required=False)
    unit = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("Workshop or contractor doing the work."),
    )
    content = serializers.CharField(help_text=_("What work is done."))
    location = serializers.CharField(max_length=200)
    risk_point = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("An active risk point of the organisation.")
    )
    medium = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("The substance in or near the work."),
    )
    medium_lel = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_(
            "The medium's lower explosive limit, % by volume; sets the combustible gas limit."
        ),
    )
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField(
        help_text=_("At most the level's validity after the planned start.")
    )
    person_in_charge = serializers.CharField(max_length=50, required=False, allow_blank=True)
    guardian = serializers.CharField(max_length=50, required=False, allow_blank=True)
    guardian_certificate = serializers.CharField(max_length=50, required=False, allow_blank=True)
    hazard_identification = serializers.CharField(required=False, allow_blank=True)
    workers = PermitWorkerInputSerializer(many=True, required=False)
    linked = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_(
            "Ids of linked permits of the same organisation, e.g. the confined-space "
            "permit of hot work inside it."
        ),
    )
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)

    def validate(self, attrs):
        request = self.context["request"]
        permit: Permit | None = self.context.get("permit")
        if permit is None and attrs.get("organization") is None:
            # An enterprise's staff apply for their own organisation and need not name it.
            own = {
                m.organization
                for m in access.memberships(request.user)
                if access.ROLE_SCOPE.get(m.role) == access.OWN
            }
            allowed = cast(_OrganizationField, self.fields["organization"]).get_queryset()
            candidates = [o for o in own if allowed.filter(pk=o.pk).exists()]
            if len(candidates) != 1:
                raise serializers.ValidationError(
                    {"organization": [_("Choose the organisation the work is done for.")]}
                )
            attrs["organization"] = candidates[0]
        if permit is not None:
            if "organization" in attrs and attrs["organization"].pk != permit.organization_id:
                raise serializers.ValidationError(
                    {"organization": [_("A permit stays with its organisation.")]}
                )
            if "type" in attrs and attrs["type"] != permit.type:
                raise serializers.ValidationError(
                    {
                        "type": [
                            _("A permit's operation type cannot change; cancel it and apply again.")
                        ]
                    }
                )
        return attrs

    def action_kwargs(self) -> dict[str, Any]:
        """The values for :func:`actions.create` / :func:`actions.update`."""
        values = dict(self.validated_data)
        values.pop("organization", None)
        values.pop("type", None)
        if "workers" in values:
            values["workers"] = [dict(w) for w in values["workers"]]
        if "answers" in values:
            values["answers"] = dict(values["answers"])
        return values


class PermitApproveSerializer(serializers.Serializer):
    opinion = serializers.CharField(
        allow_blank=True, help_text=_("The approver's opinion, e.g. 同意 (required).")
    )


class PermitRejectSerializer(serializers.Serializer):
    opinion = serializers.CharField(
        allow_blank=True, help_text=_("Why the permit is sent back (required).")
    )


class PermitGasAnalysisInputSerializer(serializers.Serializer):
    """A gas analysis as taken on site; the verdict is computed from the limits in force."""

    taken_at = serializers.DateTimeField(
        help_text=_("When the sample was taken; not in the future.")
    )
    point = serializers.CharField(max_length=100, help_text=_("The sampling point."))
    lel_percent = serializers.DecimalField(
        max_digits=6,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        help_text=LEL_HELP,
    )
    o2_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        help_text=O2_HELP,
    )
    toxic = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=9, decimal_places=3, min_value=Decimal(0), max_value=Decimal(100)
        ),
        required=False,
        help_text=TOXIC_HELP,
    )
    analyst = serializers.CharField(max_length=50, help_text=_("Who took the analysis."))


class PermitPauseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PermitCompleteSerializer(serializers.Serializer):
    accepted_by = serializers.CharField(
        allow_blank=True, help_text=_("Who accepted the site after the work (required).")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PermitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the permit is cancelled (required).")
    )


class PermitMeasureInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The measure's id on this permit."))
    applicable = serializers.BooleanField(required=False, default=True)
    confirmed_by = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Who confirmed it on site; empty withdraws the confirmation."),
    )


class PermitMeasuresSerializer(serializers.Serializer):
    """Whether each measure applies and who confirmed it on site (before work starts).
    Every applicable measure must be confirmed before the work starts."""

    measures = PermitMeasureInputSerializer(many=True, allow_empty=False)


class PermitBriefingSerializer(serializers.Serializer):
    """The safety briefing (安全交底), given before the work starts."""

    given_by = serializers.CharField(max_length=50, help_text=_("Who gave the briefing."))
    received_by = serializers.CharField(
        max_length=200, help_text=_("Who received it (the workers, by name).")
    )
