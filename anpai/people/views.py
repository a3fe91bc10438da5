"""People pages: accounts within scope, account management, role grants.

The three administrators are separated (三员分立) by the access policy: the
system administrator may add and change accounts (``people.user``) but not
grant roles; the security administrator grants and withdraws roles
(``people.membership``) but cannot create accounts; the audit administrator
does neither. On top of the policy, nobody changes their own roles, and the
system administrator cannot take over another administrator's account.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.people.choices import ADMIN_ROLES
from anpai.people.forms import MembershipForm, UserCreateForm, UserEditForm, UserFilterSet
from anpai.people.models import Membership, User


def _visible_memberships(viewer):
    """Memberships the viewer may see, with what the pages show of them."""
    return (
        Membership.objects.restrict(viewer, access.VIEW)
        .select_related("organization")
        .order_by("organization__name", "role")
    )


class UserListView(RestrictedViewMixin, ListView):
    """Accounts within the viewer's scope, with their roles; search by name, username, mobile."""

    model = User
    resource = "people.user"
    template_name = "people/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("memberships", queryset=_visible_memberships(self.request.user))
            )
            .order_by("username")
        )
        self.filterset = UserFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            return ["people/_user_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["can_add"] = access.can(self.request.user, "people.user", access.ADD)
        return ctx


class UserDetailView(RestrictedViewMixin, DetailView):
    """One account: its details and the roles the viewer may see."""

    model = User
    resource = "people.user"
    template_name = "people/user_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        viewer, person = self.request.user, self.object
        ctx["memberships"] = _visible_memberships(viewer).filter(user=person)
        own = viewer.pk == person.pk
        ctx["can_edit"] = (
            access.can(viewer, "people.user", access.CHANGE)
            and User.objects.restrict(viewer, access.CHANGE).filter(pk=person.pk).exists()
            and not _guarded_admin(viewer, person)
        )
        ctx["can_grant"] = not own and access.can(viewer, "people.membership", access.ADD)
        ctx["can_withdraw"] = not own and access.can(viewer, "people.membership", access.DELETE)
        return ctx


def _guarded_admin(editor, person) -> bool:
    """Whether ``person`` holds a separated administrator role ``editor`` must not take over.

    Resetting the audit or security administrator's password would let the
    system administrator act as them, which 三员分立 forbids.
    """
    if editor.pk == person.pk:
        return False
    theirs = set(
        Membership.objects.filter(user=person, role__in=ADMIN_ROLES).values_list("role", flat=True)
    )
    mine = {m.role for m in access.memberships(editor)}
    return bool(theirs - mine)


class UserCreateView(RestrictedViewMixin, CreateView):
    """The system administrator opens an account with an initial password."""

    model = User
    resource = "people.user"
    permission_action = access.ADD
    form_class = UserCreateForm
    template_name = "people/user_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("Account %(username)s created.") % {"username": self.object.username}
        )
        return response

    def get_success_url(self):
        return reverse("people:detail", args=[self.object.pk])


class UserUpdateView(RestrictedViewMixin, UpdateView):
    """The system administrator changes an account's details, active flag or password."""

    model = User
    resource = "people.user"
    permission_action = access.CHANGE
    form_class = UserEditForm
    template_name = "people/user_form.html"
    context_object_name = "person"

    def get_object(self, queryset=None):
        person = super().get_object(queryset)
        if _guarded_admin(self.request.user, person):
            raise PermissionDenied
        return person

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editor": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("Account %(username)s saved.") % {"username": self.object.username}
        )
        return response

    def get_success_url(self):
        return reverse("people:detail", args=[self.object.pk])


class MembershipCreateView(RestrictedViewMixin, CreateView):
    """The security administrator gives a person a role in an organisation."""

    model = Membership
    resource = "people.membership"
    permission_action = access.ADD
    form_class = MembershipForm
    template_name = "people/membership_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not access.can(request.user, self.resource, self.permission_action):
                raise PermissionDenied
            self.person = (
                User.objects.restrict(request.user, access.VIEW).filter(pk=kwargs["pk"]).first()
            )
            if self.person is None:
                raise Http404
            if self.person.pk == request.user.pk:
                raise PermissionDenied  # nobody grants themselves a role
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "granter": self.request.user, "person": self.person}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.person}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("%(person)s is now %(role)s of %(org)s.")
            % {
                "person": self.person,
                "role": self.object.get_role_display(),
                "org": self.object.organization,
            },
        )
        return response

    def get_success_url(self):
        return reverse("people:detail", args=[self.person.pk])


class MembershipDeleteView(RestrictedViewMixin, View):
    """The security administrator withdraws a role (POST only)."""

    model = Membership
    resource = "people.membership"
    permission_action = access.DELETE
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = get_object_or_404(
            Membership.objects.restrict(request.user, access.VIEW).select_related(
                "user", "organization"
            ),
            pk=pk,
        )
        allowed = Membership.objects.restrict(request.user, access.DELETE).filter(pk=pk).exists()
        if not allowed or membership.user_id == request.user.pk:
            raise PermissionDenied
        person = membership.user
        label = str(membership)
        membership.delete()
        messages.success(request, _("Role withdrawn: %(membership)s.") % {"membership": label})
        return HttpResponseRedirect(reverse("people:detail", args=[person.pk]))
