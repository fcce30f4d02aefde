"""Issue 6: a permission change (role, organization, staff/superuser) made in the admin
is audited with before/after."""

from safework.audit.models import AuditEntry
from safework.core.models import UserProfile
from tests.conftest import make_user


def test_role_change_in_admin_is_audited(admin_client, django_user_model, db):
    user = make_user(django_user_model, "worker-admin", "viewer")
    page = admin_client.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": "worker-admin",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": str(user.profile.pk),
            "profile-0-user": str(user.pk),
            "profile-0-role": "safety_manager",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    resp = admin_client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else resp
    assert UserProfile.objects.get(user=user).role == "safety_manager"
    entry = AuditEntry.objects.get(action="permission_change")
    assert entry.changes["role"] == {"before": "viewer", "after": "safety_manager"}
