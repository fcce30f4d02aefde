"""The approval engine's outcome for permits (``approvals.registry``)."""


def permit_approval_decided(*, instance, actor):
    from .services.approval import permit_approval_decided as decided

    decided(instance=instance, actor=actor)
