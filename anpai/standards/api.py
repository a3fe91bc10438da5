"""Standards API (read-only): the library of determination standards and their clauses."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from anpai.core import access
from anpai.core.api import ERROR_RESPONSES
from anpai.standards.models import Clause, Standard


class ClauseSerializer(serializers.ModelSerializer):
    """A clause in our own paraphrase; ``ref`` is how checklists cite it."""

    ref = serializers.SerializerMethodField(help_text=_("“<standard code>#<clause number>”."))

    class Meta:
        model = Clause
        fields = ["id", "number", "ref", "text", "makes_major", "source_ref", "is_verified"]

    def get_ref(self, obj: Clause) -> str:
        return f"{obj.standard.code}#{obj.number}"


class StandardSerializer(serializers.ModelSerializer):
    """One version of a standard; ``industry`` is an industry code, ``region`` a division
    code (null for a national standard)."""

    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    clause_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "family",
            "name",
            "issuer",
            "number",
            "version",
            "effective_from",
            "repealed_on",
            "industry",
            "region",
            "source",
            "notes",
            "is_shipped",
            "is_verified",
            "clause_count",
        ]


class StandardDetailSerializer(StandardSerializer):
    """A standard with its clauses."""

    clauses = ClauseSerializer(many=True, read_only=True)

    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "clauses"]


class StandardFilter(filters.FilterSet):
    family = filters.CharFilter(help_text=_("Standard family, e.g. gb35181."))
    industry = filters.CharFilter(
        field_name="industry__code", help_text=_("Industry code, e.g. hazchem.")
    )
    in_force_on = filters.DateFilter(
        method="filter_in_force", help_text=_("Only the versions in force on this date.")
    )
    q = filters.CharFilter(
        method="filter_q", help_text=_("Search code, name, document number and clause text.")
    )

    class Meta:
        model = Standard
        fields = ["family", "industry", "in_force_on", "q"]

    def filter_in_force(self, queryset, name, value):
        return queryset.in_force(value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matching_clauses = Clause.objects.filter(text__icontains=value).values("standard_id")
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(number__icontains=value)
            | Q(pk__in=matching_clauses)
        )


@extend_schema(tags=["standards"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List standards"),
        responses={200: StandardSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One standard with its clauses"),
        responses={200: StandardDetailSerializer, **ERROR_RESPONSES},
    ),
)
class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    """The standards library: shipped national standards for everyone with a role, and
    the local ones of their area — exactly ``Standard.objects.restrict(user, "view")``."""

    filterset_class = StandardFilter
    queryset = Standard.objects.none()

    def get_serializer_class(self):
        return StandardDetailSerializer if self.action == "retrieve" else StandardSerializer

    def get_queryset(self):
        qs = (
            Standard.objects.restrict(self.request.user, access.VIEW)
            .select_related("industry", "region")
            .annotate(clause_count=Count("clauses"))
            .order_by("family", "-effective_from", "code")
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("clauses__standard")
        return qs
