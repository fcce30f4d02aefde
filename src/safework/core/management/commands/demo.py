"""``safework demo``: a realistic demo plant for a newcomer (issue 2, part 9). Run by
``safework run`` on an empty database; on one that already has people it does nothing
unless ``--force`` is given. The demo logins' passwords are printed once, in a box."""

from __future__ import annotations

import unicodedata

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safework.core.choices import Role
from safework.core.clock import today
from safework.core.demo import DemoResult, Login, build_demo
from safework.people.models import Person

ROLE_LINES = {
    Role.SAFETY_MANAGER: gettext_lazy("Safety manager: sees and manages everything"),
    Role.CONTRACTOR_ADMIN: gettext_lazy("Contractor admin: only %(scope)s"),
    Role.AREA_HEAD: gettext_lazy("Area head: the people at %(scope)s"),
}
TITLE = gettext_lazy("Demo logins, shown only this once")
HEADER = (gettext_lazy("User name"), gettext_lazy("Password"))
FOOTER = (
    gettext_lazy("Write the passwords down now: only their hashes are stored."),
    gettext_lazy("Change them after the first sign-in."),
)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, translated when the command runs
        return _(
            "Create a demo plant: an owner with three sites, two contractors, about 126 "
            "workers whose certificates show every status, and three demo logins."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "Add the demo plant even though the database already has people; "
                "what exists already is not duplicated."
            ),
        )
        parser.add_argument(
            "--password",
            help=_(
                "Use this password for the demo logins instead of generated ones "
                "(for tests and screenshots)."
            ),
        )

    def handle(self, *args, force: bool = False, password: str | None = None, **options):
        if Person.objects.exists() and not force:
            self.stdout.write(
                _(
                    "The database already has people, so no demo data was added. "
                    "Run `safework demo --force` to add it anyway."
                )
            )
            return
        if password:
            _check_password(password)
        result = build_demo(on=today(), password=password)
        self.stdout.write(self.style.SUCCESS(summary(result)))
        self._report_existing_logins(result.logins)
        if any(login.password for login in result.logins):
            self.stdout.write(login_box(result.logins))

    def _report_existing_logins(self, logins: list[Login]) -> None:
        for login in logins:
            if login.password is None:
                self.stdout.write(
                    _("The login %(username)s already exists; its password was not changed.")
                    % {"username": login.username}
                )


def _check_password(password: str) -> None:
    try:
        validate_password(password)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None


def summary(result: DemoResult) -> str:
    if not (result.organizations or result.sites or result.work_areas or result.workers):
        return _("The demo plant is already complete; nothing was added.")
    return _(
        "Demo data created: %(organizations)d organizations, %(sites)d sites, "
        "%(work_areas)d work areas, %(workers)d workers, %(certificates)d certificates."
    ) % {
        "organizations": result.organizations,
        "sites": result.sites,
        "work_areas": result.work_areas,
        "workers": result.workers,
        "certificates": result.certificates,
    }


def login_box(logins: list[Login]) -> str:
    """The logins in English and Chinese, framed so they stand out in a console log."""
    shown = [login for login in logins if login.password]
    users, passwords = _both(HEADER[0]), _both(HEADER[1])
    width = max(display_width(text) for text in [*users, *(x.username for x in shown)]) + 3
    rows = [*_both(TITLE), ""]
    rows += [_columns(u, p, width) for u, p in zip(users, passwords, strict=False)]
    for login in shown:
        rows.append(_columns(login.username, login.password, width))
        rows += [" " * width + line for line in _both(ROLE_LINES[login.role], scope=login.scope)]
    rows += ["", *(line for message in FOOTER for line in _both(message))]
    return _frame(rows)


def _both(message, **params) -> list[str]:
    """The message in English and in Chinese (once when they are the same)."""
    lines = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text = str(message) % params if params else str(message)
        if text not in lines:
            lines.append(text)
    return lines


def _columns(left: str, right: str, width: int) -> str:
    return left + " " * max(1, width - display_width(left)) + right


def display_width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _frame(rows: list[str]) -> str:
    inner = max(display_width(row) for row in rows) + 4
    edge = "+" + "=" * inner + "+"
    body = [f"|  {row}{' ' * (inner - 2 - display_width(row))}|" for row in rows]
    return "\n".join([edge, *body, edge])
