from django.urls import path

from anpai.responsibility import views

app_name = "responsibility"
urlpatterns = [
    # /responsibility/ : leaders' lists for government roles, commitments for enterprises.
    path("", views.home, name="home"),
    path("leaders/", views.lists, name="lists"),
]
