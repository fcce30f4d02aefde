"""Issue 6: login, failed login and logout each append an audit entry with the source IP."""

from safework.audit.models import AuditEntry


def test_login_and_failed_login_are_audited(client, manager_user):
    client.post("/login/", {"username": "manager", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.object_repr == "manager"
    assert failed.ip == "10.1.2.3"
    assert "wrong" not in str(failed.changes)
    client.login(username="manager", password="Pw-for-tests-123")
    assert AuditEntry.objects.filter(action="login", actor="manager").exists()
