"""Checklists API (read-only): current checklist versions, or any version by code."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from anpai.core import access
from anpai.core.api import ERROR_RESPONSES
from anpai.inspections.models import ChecklistItem, ChecklistTemplate


class ItemClauseSerializer(serializers.Serializer):
    """The standard clause an item is tied to."""

    id = serializers.IntegerField()
    ref = serializers.SerializerMethodField(help_text=_("“<standard code>#<clause number>”."))
    standard = serializers.CharField(source="standard.code")
    number = serializers.CharField()
    text = serializers.CharField()
    makes_major = serializers.BooleanField()
    is_verified = serializers.BooleanField()

    def get_ref(self, obj) -> str:
        return f"{obj.standard.code}#{obj.number}"


class ChecklistItemSerializer(serializers.ModelSerializer):
    """One question; ``category`` is a hazard category code."""

    clause = ItemClauseSerializer(read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "order",
            "section",
            "question",
            "guidance",
            "clause",
            "category",
            "allow_na",
            "photo_required_on_fail",
        ]


class ChecklistSerializer(serializers.ModelSerializer):
    """One version of a checklist; ``industry`` is an industry code, ``region`` a division
    code (null for a national checklist)."""

    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "code",
            "version",
            "is_current",
            "name",
            "description",
            "industry",
            "place_kind",
            "region",
            "is_shipped",
            "created_at",
            "item_count",
        ]


class ChecklistDetailSerializer(ChecklistSerializer):
    """A checklist version with its items."""

    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta(ChecklistSerializer.Meta):
        fields = [*ChecklistSerializer.Meta.fields, "items"]


class ChecklistFilter(filters.FilterSet):
    code = filters.CharFilter(help_text=_("Checklist code, e.g. campaign-2023."))
    version = filters.NumberFilter(
        help_text=_("A version number; without it, only current versions are listed.")
    )
    industry = filters.CharFilter(field_name="industry__code", help_text=_("Industry code."))
    all_versions = filters.BooleanFilter(
        method="filter_all_versions", help_text=_("true: list every version, not only current.")
    )

    class Meta:
        model = ChecklistTemplate
        fields = ["code", "version", "industry", "all_versions"]

    def filter_all_versions(self, queryset, name, value):
        return queryset  # applied in filter_queryset, which sees every parameter

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if data.get("version") is None and not data.get("all_versions"):
            queryset = queryset.filter(is_current=True)
        return super().filter_queryset(queryset)


@extend_schema(tags=["checklists"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List checklists (current versions unless a version is asked for)"),
        responses={200: ChecklistSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One checklist version with its items"),
        responses={200: ChecklistDetailSerializer, **ERROR_RESPONSES},
    ),
)
class ChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    """Checklists: shipped ones for everyone with a role and the local ones of their
    area — exactly ``ChecklistTemplate.objects.restrict(user, "view")``. Any version can
    be fetched by id, so an inspection's own version stays readable after edits."""

    filterset_class = ChecklistFilter
    queryset = ChecklistTemplate.objects.none()

    def get_serializer_class(self):
        return ChecklistDetailSerializer if self.action == "retrieve" else ChecklistSerializer

    def get_queryset(self):
        qs = (
            ChecklistTemplate.objects.restrict(self.request.user, access.VIEW)
            .select_related("industry", "region")
            .annotate(item_count=Count("items"))
            .order_by("code", "-version")
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("items__clause__standard", "items__category")
        return qs
