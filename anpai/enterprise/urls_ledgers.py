from django.http import HttpResponse
from django.urls import path

urlpatterns = [
    path("posts/", lambda request: HttpResponse(""), name="posts"),
    path("expenses/", lambda request: HttpResponse(""), name="expenses"),
    path("violations/", lambda request: HttpResponse(""), name="violations"),
]
