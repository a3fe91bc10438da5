from django.http import HttpResponse
from django.urls import path

urlpatterns = [
    path("commitments/", lambda request: HttpResponse(""), name="commitments"),
    path("reports/", lambda request: HttpResponse(""), name="reports"),
]
