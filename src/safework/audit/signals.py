"""Login, logout and failed login go to the audit trail (issue 6). Auth events come from
django.contrib.auth's signals: there is no service of ours in that path."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safework.core.actors import Actor

from .services import audit_record


def _actor(request, user=None, label="") -> Actor:
    return Actor(
        user=user,
        ip=getattr(request, "client_ip", None) if request else None,
        request_id=getattr(request, "request_id", "") if request else "",
        system_label=label,
    )


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(
        actor=_actor(request, user), action="login", obj=user, object_repr=user.get_username()
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            actor=_actor(request, user), action="logout", obj=user, object_repr=user.get_username()
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Never record the password; the user name tried is what an investigator needs.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=_actor(request, label=f"anonymous:{username}"),
        action="login_failed",
        object_type="auth.user",
        object_repr=username,
    )
