from django.urls import path  # noqa: F401 - pages land with their views

app_name = "responsibility"
urlpatterns: list = []
