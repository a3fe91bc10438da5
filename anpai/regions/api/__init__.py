"""Regions API (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from anpai.core.api import ERROR_RESPONSES
from anpai.regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    """One division; ``parent`` is the parent region's id."""

    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_display", "parent"]


class RegionFilter(filters.FilterSet):
    class Meta:
        model = Region
        fields = {"level": ["exact"], "parent": ["exact"], "code": ["exact", "startswith"]}


@extend_schema(tags=["regions"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List regions"), responses={200: RegionSerializer(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(
        summary=_("One region"), responses={200: RegionSerializer, **ERROR_RESPONSES}
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The division tree within the user's reach (their township or county, and its ancestors).

    Scoping is ``Region.objects.restrict``, built on the same grants as every
    other resource; regions carry no policy row because anyone with a role may
    read the tree of the area they work in.
    """

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    queryset = Region.objects.none()

    def get_queryset(self):
        return Region.objects.restrict(self.request.user).order_by("code")
