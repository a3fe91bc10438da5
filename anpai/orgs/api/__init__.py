"""Organisations API: the registry, and which department supervises which industry."""

from __future__ import annotations

import copy

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from anpai.core import access
from anpai.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    RestrictedModelViewSet,
    RestrictedReadOnlyViewSet,
)
from anpai.core.validators import validate_credit_code as check_credit_code
from anpai.orgs.filtersets import OrganizationFilterSet
from anpai.orgs.models import Industry, Organization, Supervision
from anpai.regions.models import Region

CREDIT_CODE_TAKEN = _(
    "Another organisation is already registered with this unified social credit code."
)


class CreditCodeField(serializers.CharField):
    """A 统一社会信用代码: trimmed and upper-cased before it is checked and compared.

    Normalising first means the uniqueness check sees the code as it will be
    stored, so ``91…a`` cannot slip past an existing ``91…A``.
    """

    def to_internal_value(self, data):
        return super().to_internal_value(data).strip().upper()


class OrganizationSerializer(serializers.ModelSerializer):
    """An organisation; ``industries`` are industry codes, ``region`` a division code."""

    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        help_text=_("12-digit division code of the township or village."),
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    industries = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Industry.objects.all(),
        required=False,
        help_text=_("Industry codes, e.g. hazchem, gas, fire_crowded."),
    )
    credit_code = CreditCodeField(
        max_length=18,
        required=False,
        allow_null=True,
        allow_blank=True,
        label=Organization._meta.get_field("credit_code").verbose_name,
        help_text=Organization._meta.get_field("credit_code").help_text,
        validators=[
            check_credit_code,
            UniqueValidator(queryset=Organization.objects.all(), message=CREDIT_CODE_TAKEN),
        ],
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "kind", "kind_display", "credit_code", "region", "region_name",
            "industries", "is_key", "is_crowded", "is_sensitive", "is_mixed", "status",
            "status_display", "address", "latitude", "longitude", "phone", "principal_name",
            "principal_phone", "safety_contact_name", "safety_contact_phone", "employee_count",
            "notes", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def validate_credit_code(self, value):
        # The column is unique but nullable: "no code" must be NULL, never "".
        return value or None

    def validate_region(self, region):
        """A user places an organisation only where their add (or change) scope reaches."""
        action = access.CHANGE if self.instance is not None else access.ADD
        if not access.allows_region(
            self.context["request"].user, "orgs.organization", action, region
        ):
            raise serializers.ValidationError(_("This region is outside your area."))
        return region

    def validate(self, attrs):
        """Apply the model's own cross-field rules to the organisation as it would be saved.

        For a partial update that is the stored row with the sent fields laid
        over it, so e.g. turning a place without a code into an enterprise is
        refused on ``credit_code``. The serializer's fields have already
        checked each sent value (and the code's uniqueness), so only the sent
        fields are field-checked again here.
        """
        fields = {k: v for k, v in attrs.items() if k != "industries"}  # m2m needs a saved row
        candidate = copy.copy(self.instance) if self.instance is not None else Organization()
        for name, value in fields.items():
            setattr(candidate, name, value)
        not_sent = [f.name for f in Organization._meta.concrete_fields if f.name not in fields]
        candidate.full_clean(exclude=not_sent, validate_unique=False, validate_constraints=False)
        # clean() normalises (e.g. the credit code); save what was validated.
        for name in fields:
            attrs[name] = getattr(candidate, name)
        return attrs


def _save(serializer):
    """Save atomically; a credit code taken meanwhile by a concurrent write is a 400, not a 500."""
    try:
        with transaction.atomic():
            serializer.save()
    except IntegrityError:
        code = serializer.validated_data.get("credit_code")
        if code and Organization.objects.filter(credit_code=code).exists():
            raise serializers.ValidationError({"credit_code": [CREDIT_CODE_TAKEN]}) from None
        raise


@extend_schema(tags=["organizations"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List organisations"),
        description=_("Organisations within your scope, filtered as on the list page."),
        responses={200: OrganizationSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One organisation"),
        description=_("404 when the organisation is outside your scope."),
        responses={200: OrganizationSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Register an organisation"),
        description=_(
            "Township safety officers and system administrators anywhere in their township; "
            "village grid officers in their village."
        ),
        responses={201: OrganizationSerializer, **WRITE_ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary=_("Change an organisation"),
        description=_("Only the fields sent are changed. 403 when you may see but not change it."),
        responses={200: OrganizationSerializer, **WRITE_ERROR_RESPONSES},
    ),
)
class OrganizationViewSet(RestrictedModelViewSet):
    """Organisations within the user's scope. Filters as on the list page."""

    resource = "orgs.organization"
    queryset = Organization.objects.none()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Organization.objects.restrict(self.request.user, access.VIEW)
            .with_list_related()
            .order_by("region__code", "name", "id")
        )

    def perform_create(self, serializer):
        _save(serializer)

    def perform_update(self, serializer):
        _save(serializer)


class SupervisionSerializer(serializers.ModelSerializer):
    """One 行业监管 row: a department supervising an industry in a township."""

    township: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Division code of the township.")
    )
    industry: serializers.SlugRelatedField[Industry] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    department: serializers.PrimaryKeyRelatedField[Organization] = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Supervision
        fields = ["id", "township", "industry", "industry_name", "department", "department_name"]


@extend_schema(tags=["supervisions"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List industry supervision"),
        responses={200: SupervisionSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One industry supervision row"),
        responses={200: SupervisionSerializer, **ERROR_RESPONSES},
    ),
)
class SupervisionViewSet(RestrictedReadOnlyViewSet):
    """行业监管: which department supervises which industry in each township."""

    resource = "orgs.supervision"
    queryset = Supervision.objects.none()
    serializer_class = SupervisionSerializer

    def get_queryset(self):
        return (
            Supervision.objects.restrict(self.request.user, access.VIEW)
            .select_related("township", "industry", "department")
            .order_by(
                "township__code", "industry__sort_order", "industry_id", "department_id", "id"
            )
        )
