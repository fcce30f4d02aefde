"""Django admin for logins and their roles only. Domain records (people, certificates,
organizations) are changed through the pages and the API, which go through the services
(validation, scoping, audit); the admin would bypass all three."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from safework.audit.services import audit_record, diff

from .actors import Actor
from .models import ApiToken, UserProfile

User = get_user_model()
_USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser")


def _profile_state(user) -> dict:
    profile = UserProfile.objects.filter(user=user).first()
    if profile is None:
        return {}
    return {
        "role": profile.role,
        "organization": profile.organization_id,
        "sites": sorted(profile.sites.values_list("id", flat=True)),
    }


class ProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False
    filter_horizontal = ("sites",)


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    """Permission changes (role, organization, sites, staff/superuser), deleted logins and
    passwords set by an administrator are audited."""

    inlines = [ProfileInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        request._audit_before = self._state(obj) if obj else {}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changes = diff(getattr(request, "_audit_before", {}), self._state(form.instance))
        if changes:
            self._audit(
                request, "permission_change" if change else "create", form.instance, changes
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._audit(request, "delete", obj, diff(self._state(obj), {}))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                self._audit(request, "delete", user, diff(self._state(user), {}))
            super().delete_queryset(request, queryset)

    def user_change_password(self, request, id, form_url=""):
        """Setting someone's password is recorded (never the password itself)."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    changes = {"usable_password": user.has_usable_password()}
                    self._audit(request, "password_set", user, changes)
        return response

    def _audit(self, request, action: str, user, changes: dict) -> None:
        actor = Actor(
            user=request.user,
            ip=getattr(request, "client_ip", None),
            request_id=getattr(request, "request_id", ""),
        )
        audit_record(
            actor=actor, action=action, obj=user, object_repr=user.get_username(), changes=changes
        )

    @staticmethod
    def _state(user) -> dict:
        return {**{f: getattr(user, f) for f in _USER_FIELDS}, **_profile_state(user)}


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by `safework token create` (the secret is shown once); here they
    can be looked at, not forged."""

    list_display = (
        "name",
        "prefix",
        "scope",
        "organization",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = (
        "name",
        "prefix",
        "scope",
        "organization",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
