"""Django admin for logins and their roles only. Domain records (people, certificates,
organizations) are changed through the pages and the API, which go through the services
(validation, scoping, audit); the admin would bypass all three."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

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
    """Permission changes (role, organization, sites, staff/superuser) are audited."""

    inlines = [ProfileInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        request._audit_before = self._state(obj) if obj else {}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changes = diff(getattr(request, "_audit_before", {}), self._state(form.instance))
        if changes:
            actor = Actor(
                user=request.user,
                ip=getattr(request, "client_ip", None),
                request_id=getattr(request, "request_id", ""),
            )
            audit_record(
                actor=actor,
                action="permission_change" if change else "create",
                obj=form.instance,
                object_repr=form.instance.get_username(),
                changes=changes,
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
