"""Organisations API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anpai.core import access
from anpai.core.api import RestrictedModelViewSet, RestrictedReadOnlyViewSet
from anpai.orgs.filtersets import OrganizationFilterSet
from anpai.orgs.models import Industry, Organization, Supervision
from anpai.regions.models import Region


class OrganizationSerializer(serializers.ModelSerializer):
    """An organisation; ``industries`` are industry codes, ``region`` a division code."""

    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(),
        help_text=_("12-digit division code of the township or village."),
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    industries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Industry.objects.all(), required=False,
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
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_region(self, region):
        """A user may only place an organisation where their own add/change scope reaches."""
        request = self.context["request"]
        action = access.CHANGE if self.instance else access.ADD
        prefixes = [
            g.region_prefix for g in access.grants(request.user)
            if action in access.POLICY["orgs.organization"].get(g.role, ())
            and g.scope == access.REGION
        ]
        if not any(region.code.startswith(p) for p in prefixes):
            raise serializers.ValidationError(_("This region is outside your area."))
        return region

    def validate(self, attrs):
        # Run the model's own rules (credit code required for enterprises, region level).
        industries = attrs.pop("industries", None)
        instance = self.instance or Organization()
        for key, value in attrs.items():
            setattr(instance, key, value)
        instance.full_clean(exclude=["credit_code"] if "credit_code" not in attrs and self.instance
                            else None, validate_unique=False)
        if industries is not None:
            attrs["industries"] = industries
        return attrs


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


class SupervisionSerializer(serializers.ModelSerializer):
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Supervision
        fields = ["id", "township", "industry", "department", "department_name"]


class SupervisionViewSet(RestrictedReadOnlyViewSet):
    """行业监管: which department supervises which industry in each township."""

    resource = "orgs.supervision"
    queryset = Supervision.objects.none()
    serializer_class = SupervisionSerializer

    def get_queryset(self):
        return Supervision.objects.restrict(self.request.user, access.VIEW).select_related(
            "township", "industry", "department"
        )
