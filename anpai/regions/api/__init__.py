"""Regions API (read-only)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from anpai.regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_display", "parent"]


class RegionFilter(filters.FilterSet):
    class Meta:
        model = Region
        fields = {"level": ["exact"], "parent": ["exact"], "code": ["exact", "startswith"]}


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The division tree within the user's reach (their township or county)."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    queryset = Region.objects.none()

    def get_queryset(self):
        return Region.objects.restrict(self.request.user).order_by("code")
