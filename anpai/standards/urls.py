from django.urls import path

from anpai.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.StandardListView.as_view(), name="list"),
    path("new/", views.LocalStandardCreateView.as_view(), name="create"),
    path("<int:pk>/", views.StandardDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.LocalStandardEditView.as_view(), name="edit"),
    path("<int:pk>/clauses/new/", views.ClauseEditView.as_view(), name="clause_add"),
    path(
        "<int:pk>/clauses/<int:clause_pk>/edit/",
        views.ClauseEditView.as_view(),
        name="clause_edit",
    ),
]
