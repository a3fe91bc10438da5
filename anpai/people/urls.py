from django.contrib.auth import views as auth_views
from django.urls import path

from anpai.people import views

app_name = "people"
urlpatterns = [
    path("people/", views.UserListView.as_view(), name="list"),
    path("people/new/", views.UserCreateView.as_view(), name="add"),
    path("people/<int:pk>/", views.UserDetailView.as_view(), name="detail"),
    path("people/<int:pk>/edit/", views.UserUpdateView.as_view(), name="edit"),
    path("people/<int:pk>/roles/new/", views.MembershipCreateView.as_view(), name="membership_add"),
    path(
        "people/roles/<int:pk>/delete/",
        views.MembershipDeleteView.as_view(),
        name="membership_delete",
    ),
]

# Login and logout keep Django's plain names, which settings refer to.
auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="people/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
