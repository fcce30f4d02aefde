"""Who is acting: a logged-in user or an API token, with the request's IP and id.

Services take an ``actor`` so that every change is attributed in the audit trail and
scoped by the same rules everywhere (pages, API, commands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .choices import Role, TokenScope


@dataclass(frozen=True)
class Actor:
    user: object | None = None  # django User
    token: object | None = None  # core.ApiToken
    ip: str | None = None
    request_id: str = ""
    system_label: str = ""  # for commands and scheduled jobs
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(system_label=label)

    @property
    def label(self) -> str:
        if self.token is not None:
            # Token names need not be unique (a replacement often keeps the name): the
            # prefix `safework token list` shows tells them apart in the audit trail.
            return f"token:{self.token.name} [{self.token.prefix}]"
        if self.user is not None:
            return self.user.get_username()
        return self.system_label or "system"

    @cached_property
    def profile(self):
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return None
        return getattr(self.user, "profile", None)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.token is None

    @property
    def role(self) -> str | None:
        if self.is_system:
            return Role.SAFETY_MANAGER
        if self.token is not None:
            return Role.CONTRACTOR_ADMIN if self.token.organization_id else Role.SAFETY_MANAGER
        if self.user is not None and self.user.is_superuser:
            return Role.SAFETY_MANAGER
        return self.profile.role if self.profile else None

    @property
    def organization_id(self) -> int | None:
        if self.token is not None:
            return self.token.organization_id
        return self.profile.organization_id if self.profile else None

    @cached_property
    def site_ids(self) -> frozenset[int]:
        if self.profile is None:
            return frozenset()
        return frozenset(self.profile.sites.values_list("id", flat=True))

    @property
    def sees_everything(self) -> bool:
        return self.role in {Role.SAFETY_MANAGER, Role.VIEWER}

    @property
    def can_write(self) -> bool:
        if self.token is not None:
            return self.token.scope == TokenScope.WRITE
        return self.role in {Role.SAFETY_MANAGER, Role.AREA_HEAD, Role.CONTRACTOR_ADMIN}

    @property
    def can_manage_catalogue_and_sites(self) -> bool:
        """Organizations, sites and work areas are the owner's: safety managers only."""
        return self.role == Role.SAFETY_MANAGER and (
            self.token is None or self.token.scope == TokenScope.WRITE
        )

    @property
    def can_view_full_id(self) -> bool:
        # PIPL minimisation: only the owner's safety managers see full ID numbers.
        return self.token is None and self.role == Role.SAFETY_MANAGER
