"""Permit pages (filled in by the pages)."""

app_name = "permits"
urlpatterns: list = []
