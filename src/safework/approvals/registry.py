"""How the app that owns a subject learns an approval's outcome, without the engine
knowing that app: it registers a handler for its ``subject_kind``; the engine calls it
inside the deciding transaction (so the subject's state and the approval commit or roll
back together)."""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[..., None]
_HANDLERS: dict[str, Handler] = {}


def register(subject_kind: str, on_decided: Handler) -> None:
    """``on_decided(instance=..., actor=...)`` runs when an instance of this kind is
    approved, rejected or withdrawn (``instance.state`` says which)."""
    _HANDLERS[subject_kind] = on_decided


def decided(instance, actor) -> None:
    handler = _HANDLERS.get(instance.subject_kind)
    if handler is not None:
        handler(instance=instance, actor=actor)
