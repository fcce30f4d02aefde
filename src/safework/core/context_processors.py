from .actors import Actor


def role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = Actor(user=user)
    return {"actor": actor, "actor_can_write": actor.can_write}
