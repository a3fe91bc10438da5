"""The REST API, version 1: one router, each app registering its viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from anpai.orgs.api import OrganizationViewSet, SupervisionViewSet
from anpai.people.api import MeView, TokenView
from anpai.regions.api import RegionViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("supervisions", SupervisionViewSet, basename="supervision")
router.register("regions", RegionViewSet, basename="region")

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
