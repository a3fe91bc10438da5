"""Forms and the search filter of the people pages.

The system administrator manages accounts (:class:`UserCreateForm`,
:class:`UserEditForm`); the security administrator grants roles
(:class:`MembershipForm`). The forms never decide who may use them: the views
check the access policy first.
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.contrib.auth.forms import SetPasswordMixin, UsernameField
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anpai.core import access
from anpai.core.validators import validate_mobile
from anpai.orgs.models import Organization
from anpai.people.choices import ADMIN_ROLES, Role
from anpai.people.models import Membership, User


def _bootstrap(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class (templates then render fields plainly)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class UserFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"), method="search", help_text=_("Name, username or mobile")
    )

    class Meta:
        model = User
        fields = ["q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(full_name__icontains=value) | Q(phone__icontains=value)
        )


class _AccountFields(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model allows a blank mobile (imported staff may lack one); a
        # mobile typed here must still be a real one.
        self.fields["phone"].validators = [validate_mobile]
        self.fields["phone"].widget.attrs.update(inputmode="numeric", autocomplete="tel")
        self.fields["phone"].help_text = _("11 digits, e.g. 13912345678.")
        self.fields["is_active"].help_text = _("Inactive accounts cannot log in or use the API.")
        _bootstrap(self)


class UserCreateForm(SetPasswordMixin, _AccountFields):
    """A new account with an initial password chosen by the system administrator."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Initial password"), label2=_("Initial password again")
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "is_active"]
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocapitalize="none", autocomplete="off")

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        # After the model fields are on the instance, so "too similar to the
        # username/name" can be checked.
        self.validate_password_for_user(self.instance)

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        return self.set_password_and_save(user, commit=commit)


class UserEditForm(SetPasswordMixin, _AccountFields):
    """Name, contact and active flag; a new password only when one is typed."""

    password1 = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["full_name", "phone", "email", "is_active"]

    def __init__(self, *args, editor: User | None = None, **kwargs):
        self.editor = editor
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first or second:
            if not second:
                self.add_error("password2", _("Type the new password twice."))
            self.validate_passwords()
        if (
            self.editor is not None
            and self.instance.pk == self.editor.pk
            and cleaned.get("is_active") is False
        ):
            self.add_error("is_active", _("You cannot deactivate your own account."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        self.validate_password_for_user(self.instance)

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            return self.set_password_and_save(user, commit=commit)
        if commit:
            user.save()
        return user


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} · {obj.get_kind_display()}"


class MembershipForm(forms.ModelForm):
    """A role in an organisation for one person; organisations limited to the granter's scope."""

    organization = OrganizationChoiceField(
        queryset=Organization.objects.none(), label=_("Organisation")
    )

    class Meta:
        model = Membership
        fields = ["role", "organization", "title"]

    def __init__(self, *args, granter: User, person: User, **kwargs):
        if kwargs.get("instance") is None:  # CreateView passes instance=None
            kwargs["instance"] = Membership(user=person)
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["organization"].queryset = (
            Organization.objects.restrict(granter, access.VIEW)
            .select_related("region")
            .order_by("kind", "region__code", "name")
        )
        self.fields["title"].help_text = _("Optional, e.g. 副乡长 or 安全员.")
        _bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        role, org = cleaned.get("role"), cleaned.get("organization")
        if (
            role
            and org
            and Membership.objects.filter(user=self.person, organization=org, role=role).exists()
        ):
            self.add_error(
                "role",
                _("%(person)s already holds this role in this organisation.")
                % {"person": self.person},
            )
        if role in ADMIN_ROLES:
            # 三员分立: one person never holds two of the three administrator roles.
            other = (
                Membership.objects.filter(user=self.person, role__in=ADMIN_ROLES)
                .exclude(role=role)
                .values_list("role", flat=True)
                .first()
            )
            if other:
                self.add_error(
                    "role",
                    _(
                        "The three administrators are separated: %(person)s is already the "
                        "%(other)s and cannot also be the %(role)s."
                    )
                    % {"person": self.person, "other": Role(other).label, "role": Role(role).label},
                )
        return cleaned
