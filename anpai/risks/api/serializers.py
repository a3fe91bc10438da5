"""Risk points API serializers: the point as read (with its measures and latest
assessments), the fields a client may send, and an assessment.

Input is only parsed and type-checked here: :mod:`anpai.risks.actions` decides
what is required and allowed (scope, role, then input), so the API answers as
the pages do. Where a value must come from a table (accident types, factors)
the action names the field and the values allowed.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anpai.core import access
from anpai.orgs.models import Organization
from anpai.people.models import User
from anpai.risks import actions
from anpai.risks.choices import (
    AssessmentReason,
    ControlLevel,
    MeasureKind,
    Method,
    PointKind,
    RiskLevel,
)
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint
from anpai.risks.scoring import format_score

VERSION_HELP = _(
    "The risk point's version when you loaded it; if it changed meanwhile the answer is 409."
)
COLOUR_HELP = _("The level's colour on the four-colour map: red, orange, yellow or blue.")
SCORE_HELP = _("The score as a decimal number in a string, e.g. “270” or “0.5”.")


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class MeasureSerializer(serializers.ModelSerializer):
    """A control measure, with who answers for it and who checks it how often."""

    kind = serializers.ChoiceField(choices=MeasureKind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    responsible = serializers.CharField(read_only=True, help_text=_("Name of the responsible."))
    # A plain string: the inspections API documents the cadence values once.
    check_cadence = serializers.CharField(
        read_only=True,
        help_text=_(
            "How often it is checked: quarterly, monthly, ten_day, weekly, daily; "
            "empty when it is not checked regularly."
        ),
    )
    check_cadence_display = serializers.CharField(
        source="get_check_cadence_display", read_only=True
    )
    check_user_name = serializers.SerializerMethodField()

    class Meta:
        model = ControlMeasure
        fields = [
            "id", "kind", "kind_display", "text", "responsible", "responsible_user",
            "check_cadence", "check_cadence_display", "check_user", "check_user_name", "position",
        ]  # fmt: skip
        read_only_fields = fields

    def get_check_user_name(self, obj: ControlMeasure) -> str | None:
        return _person(obj.check_user)


class AssessmentSerializer(serializers.ModelSerializer):
    """One assessment, kept as history: the factors chosen, the score, the level it gave."""

    method = serializers.ChoiceField(choices=Method.choices, read_only=True)
    factors = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Factor name (l, e, c or l, s) → the value chosen."),
    )
    score = serializers.SerializerMethodField(help_text=SCORE_HELP)
    # Plain strings: the RiskPoint's ``level`` documents the values once.
    level = serializers.CharField(
        read_only=True, help_text=_("major, significant, general or low.")
    )
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    colour = serializers.CharField(read_only=True, help_text=COLOUR_HELP)
    reason = serializers.ChoiceField(choices=AssessmentReason.choices, read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    assessed_by_name = serializers.SerializerMethodField()
    scheme_version = serializers.IntegerField(
        source="scheme.version",
        read_only=True,
        help_text=_("The version of the assessment scheme the score was computed with."),
    )

    class Meta:
        model = Assessment
        fields = [
            "id", "point", "method", "factors", "score", "level", "level_display", "colour",
            "residual", "reason", "reason_display", "note", "assessed_by", "assessed_by_name",
            "assessed_at", "scheme_version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_score(self, obj: Assessment) -> str:
        return format_score(obj.score)

    def get_assessed_by_name(self, obj: Assessment) -> str | None:
        return _person(obj.assessed_by)


@extend_schema_field(OpenApiTypes.INT)
class _OrganizationField(serializers.PrimaryKeyRelatedField):
    """An organisation the requesting user may add risk points to; others do not exist."""

    def get_queryset(self):
        user = self.context["request"].user
        q = access.scope_q(user, actions.RESOURCE, access.ADD, org_path="")
        return Organization.objects.filter(q) if q is not None else Organization.objects.none()


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
        },
        "description": "Corners [[x, y], …] in site-plan units; [] clears the area.",
    }
)
class _AreaField(serializers.JSONField):
    """The polygon on the site plan; :func:`anpai.risks.actions.clean_polygon` checks it."""


@extend_schema_field({"type": "string", "enum": list(PointKind.values)})
class _KindField(serializers.CharField):
    """The kind of point; checked by the action, with the other fields, so that every
    mistake of a request is answered at once."""


class RiskPointSerializer(serializers.Serializer):
    """A risk point (风险点) as every reader sees it; the writable fields are what a client
    may send to create (POST) or change (PATCH) one."""

    id = serializers.IntegerField(read_only=True)
    organization = _OrganizationField(
        required=False,
        help_text=_("Organisation id; an enterprise's own staff may leave it out. Set once."),
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    code = serializers.CharField(max_length=30, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = _KindField(required=False, allow_blank=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hazard_sources = serializers.CharField(required=False, allow_blank=True)
    accident_types = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "GB 6441 accident type codes, e.g. fire, poisoning, fall, machinery, electric, "
            "gas_explosion, vessel."
        ),
    )
    accident_type_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    consequences = serializers.CharField(required=False, allow_blank=True)
    emergency_actions = serializers.CharField(required=False, allow_blank=True)
    emergency_phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    warning_signs = serializers.CharField(max_length=200, required=False, allow_blank=True)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    responsible_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("The responsible person's account, a member of the organisation."),
    )
    responsible_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    responsible_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        read_only=True,
        allow_blank=True,
        help_text=_("From the latest assessment; empty until assessed."),
    )
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    colour = serializers.CharField(read_only=True, help_text=COLOUR_HELP)
    score = serializers.SerializerMethodField(help_text=SCORE_HELP)
    control_level = serializers.ChoiceField(
        choices=ControlLevel.choices,
        read_only=True,
        allow_blank=True,
        help_text=_("Who controls the risk; follows the level."),
    )
    control_level_display = serializers.CharField(
        source="get_control_level_display", read_only=True
    )
    # A plain string (the values of ``level``), so the level's values are named once.
    residual_level = serializers.CharField(
        read_only=True,
        help_text=_(
            "From the latest residual assessment (with the measures in place); "
            "the values of level, or empty."
        ),
    )
    residual_level_display = serializers.CharField(
        source="get_residual_level_display", read_only=True
    )
    assessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    needs_reassessment = serializers.BooleanField(read_only=True)
    reassessment_reason = serializers.CharField(read_only=True)
    area = _AreaField(required=False)
    measures = MeasureSerializer(many=True, read_only=True, source="active_measures")
    assessments = AssessmentSerializer(
        many=True,
        read_only=True,
        source="latest_assessments",
        help_text=_("The latest assessments, newest first (at most five)."),
    )
    public_url = serializers.SerializerMethodField(
        help_text=_("The public page the notification card's QR code opens.")
    )
    is_active = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_score(self, obj: RiskPoint) -> str | None:
        return format_score(obj.score) if obj.score is not None else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_public_url(self, obj: RiskPoint) -> str:
        # As on the printed card: the public address when one is configured.
        url = reverse("risk_public", args=[obj.public_token])
        base = getattr(settings, "ANPAI_PUBLIC_URL", "")
        if base:
            return base.rstrip("/") + url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def validate(self, attrs):
        if self.instance is None and attrs.get("organization") is None:
            # An enterprise's staff add points to their own organisation and need not name it.
            own = {
                m.organization
                for m in access.memberships(self.context["request"].user)
                if access.ROLE_SCOPE.get(m.role) == access.OWN
            }
            allowed = self.fields["organization"].get_queryset()
            candidates = [o for o in own if allowed.filter(pk=o.pk).exists()]
            if len(candidates) != 1:
                raise serializers.ValidationError(
                    {"organization": [_("Choose the organisation of the risk point.")]}
                )
            attrs["organization"] = candidates[0]
        if (
            self.instance is not None
            and "organization" in attrs
            and attrs["organization"].pk != self.instance.organization_id
        ):
            raise serializers.ValidationError(
                {"organization": [_("A risk point stays with its organisation.")]}
            )
        return attrs


class AssessSerializer(serializers.Serializer):
    """Assess a risk point: LEC (``l``, ``e``, ``c``) or the matrix (``l``, ``s``).

    Each factor must be one of the values of the scheme in force for the point's
    township (the default table unless the township set its own).
    """

    method = serializers.ChoiceField(choices=Method.choices)
    l = serializers.CharField(  # noqa: E741 - the factor's own name
        required=False, allow_blank=True, allow_null=True, help_text=_("L, likelihood.")
    )
    e = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("E, frequency of exposure (LEC)."),
    )
    c = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=_("C, consequences (LEC).")
    )
    s = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=_("S, severity (matrix).")
    )
    residual = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Residual risk: assessed with the control measures in place."),
    )
    reason = serializers.ChoiceField(
        choices=AssessmentReason.choices, required=False, default=AssessmentReason.INITIAL
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def factor_values(self) -> dict[str, str]:
        data = self.validated_data
        return {k: data[k] for k in ("l", "e", "c", "s") if data.get(k) not in (None, "")}
