"""``safework token create --name N --scope read|write|gate [--organization ID]``,
``safework token list`` and ``safework token revoke PREFIX_OR_ID``.

``create`` prints the token alone on stdout (so ``TOKEN=$(safework token create ...)``
works); everything else it says goes to stderr. The token cannot be shown again."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safework.core.actors import Actor
from safework.core.choices import TokenScope
from safework.core.errors import ValidationFailed
from safework.core.models import ApiToken, Organization
from safework.core.tokens import token_create, token_find, token_list, token_revoke

ACTOR_LABEL = "safework token"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens for machine clients."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token; print it once, alone on stdout.")
        create.add_argument("--name", required=True, help="Who uses it, e.g. 'gate east'.")
        create.add_argument("--scope", required=True, choices=TokenScope.values)
        create.add_argument(
            "--organization", type=int, help="Restrict the token to this organization's data."
        )
        sub.add_parser("list", help="All tokens, newest first (never the token itself).")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix or id.")
        revoke.add_argument("ref", metavar="PREFIX_OR_ID")

    def handle(self, *args, action, **opts):
        {"create": self._create, "list": self._list, "revoke": self._revoke}[action](**opts)

    def _create(self, *, name, scope, organization=None, **_):
        org = self._organization(organization)
        try:
            token, raw = token_create(
                actor=Actor.system(ACTOR_LABEL), name=name, scope=scope, organization=org
            )
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(raw)
        restricted = f", organization {org.pk} {org.name}" if org else ""
        self.stderr.write(
            f"Created token {token.prefix}… '{token.name}' (scope {scope}{restricted}). "
            "It is shown only this once: store it now."
        )

    def _organization(self, pk: int | None) -> Organization | None:
        if pk is None:
            return None
        try:
            return Organization.objects.get(pk=pk)
        except Organization.DoesNotExist:
            raise CommandError(f"There is no organization with id {pk}.") from None

    def _list(self, **_):
        self.stdout.write(
            f"{'ID':>4}  {'PREFIX':<8}  {'SCOPE':<5}  {'ORG':>4}  {'CREATED':<16}  "
            f"{'LAST USED':<16}  {'REVOKED':<16}  NAME"
        )
        for t in token_list():
            self.stdout.write(
                f"{t.pk:>4}  {t.prefix:<8}  {t.scope:<5}  {t.organization_id or '-':>4}  "
                f"{_when(t.created_at):<16}  {_when(t.last_used_at):<16}  "
                f"{_when(t.revoked_at):<16}  {t.name}"
            )

    def _revoke(self, *, ref, **_):
        try:
            token = token_find(ref)
        except ApiToken.DoesNotExist:
            raise CommandError(f"There is no token with prefix or id {ref!r}.") from None
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from None
        token_revoke(actor=Actor.system(ACTOR_LABEL), token=token)
        self.stdout.write(f"Revoked token {token.prefix}… '{token.name}'.")
