from django.http import HttpResponse
from django.urls import path

from anpai.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("reviews/", lambda request: HttpResponse(""), name="reviews"),
    path("documents/", lambda request: HttpResponse(""), name="documents"),
    path("accountability/", lambda request: HttpResponse(""), name="accountability"),
    path("accountability/suggestions/", lambda request: HttpResponse(""), name="suggestions"),
    path("settings/", lambda request: HttpResponse(""), name="settings"),
]
