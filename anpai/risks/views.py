"""Placeholder: routes arrive with the pages."""

urlpatterns: list = []
