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


def test_deleting_a_login_in_admin_is_audited(admin_client, django_user_model, db):
    user = make_user(django_user_model, "leaver", "area_head")
    resp = admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_type="auth.user")
    assert entry.object_repr == "leaver" and entry.object_id == str(user.pk)
    assert entry.changes["role"] == {"before": "area_head", "after": None}


def test_deleting_logins_from_the_list_is_audited(admin_client, django_user_model, db):
    users = [make_user(django_user_model, f"old{i}", "viewer") for i in range(2)]
    resp = admin_client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [u.pk for u in users], "post": "yes"},
    )
    assert resp.status_code == 302
    deleted = AuditEntry.objects.filter(action="delete", object_type="auth.user")
    assert sorted(deleted.values_list("object_repr", flat=True)) == ["old0", "old1"]


def test_setting_a_password_in_admin_is_audited_without_the_password(
    admin_client, django_user_model, db
):
    user = make_user(django_user_model, "forgetful", "viewer")
    new = "Neues-Passwort-2026"
    resp = admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": new, "password2": new, "set_usable_password": "true"},
    )
    assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    entry = AuditEntry.objects.get(action="password_set")
    assert entry.object_repr == "forgetful" and entry.changes == {"usable_password": True}
    assert new not in str(entry.changes) and new not in entry.object_repr
    # A refused form (passwords differ) records nothing.
    admin_client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": new, "password2": new + "x", "set_usable_password": "true"},
    )
    assert AuditEntry.objects.filter(action="password_set").count() == 1
