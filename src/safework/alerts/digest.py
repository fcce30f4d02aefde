"""The day's digests (issue 4, recipients per level): everyone told about many people's
certificates at once, the contact of the worker's organization, the contractor admins,
the safety managers, the area heads and the group robots, gets ONE message per channel
for the warnings a scan issued, and each login one inbox item; only the worker gets a
message (SMS) per certificate. A digest gives the counts by level, the most urgent
warnings (``DIGEST_ITEMS``) one line each, "and N more", and the link to the day's
warning list.

Who is told about which warning is decided exactly as before (fanout.py, in SQL): each
audience's route adds the (channel, recipient, warning) pairs it would have sent to a
temporary table; the digests are then grouped from it, a few queries in all. A digest's
dedupe key is (scan date, run of the day, channel, recipient): a second run on the same
day sends only a digest of what is new, and nothing at all when nothing is."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Left
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import GROUP_CHANNELS, LAPSE, SMS_CHANNELS, Channel, State, WarningKind
from .messages import MESSAGE_LANGUAGE, _Markers, headline
from .models import CertificateWarning, InboxItem, Notification
from .sql import insert_objects

DIGEST_ITEMS = 10  # the most urgent warnings listed one line each
INBOX = "inbox"  # the pseudo-channel of a login's inbox item (recipient: the user id)
PAIRS = "alerts_digest_pairs"
CUTS = "alerts_digest_cuts"
# A pair carries the warning's own level, kind and days left, so that grouping and
# ranking never join the warnings table again.
COLUMNS = ("d_channel", "d_recipient", "d_config", "d_rank", "d_about", "d_warning", "d_kind",
           "d_level", "d_days")  # fmt: skip
CHUNK = 2000


def digest_key(on: date, run: int, channel: str, recipient: str) -> str:
    return f"digest:{on.isoformat()}:{run}:{channel}:{recipient}"[:200]


def warning_list_link(on: date) -> str:
    return f"{settings.SITE_URL}{reverse('alerts:warnings')}?date={on.isoformat()}"


def urgency(level: int, kind: str, days_left: int, pk: int) -> tuple:
    """Most urgent first: lapsed, then the smaller threshold, a renewal reminder after
    the dates at its level, fewer days left, older warning (the SQL ORDER BY below)."""
    return (level, kind == WarningKind.RENEWAL_OPEN, days_left, pk)


@dataclass
class Digest:
    channel: str
    recipient: str
    config: int | None = None
    about: int | None = None
    counts: Counter = field(default_factory=Counter)  # count key -> warnings
    listed: list[int] = field(default_factory=list)  # warning ids, most urgent first

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def count_key(kind: str, level: int) -> str:
    """A digest counts by level ("-1": lapsed, "7": within 7 days ...); a renewal still
    open is counted apart."""
    return str(WarningKind.RENEWAL_OPEN) if kind == WarningKind.RENEWAL_OPEN else str(level)


def ordered_counts(counts: dict) -> list[tuple[str, int]]:
    def order(key):
        return (1, 0) if key == WarningKind.RENEWAL_OPEN else (0, int(key))

    return [(k, counts[k]) for k in sorted(counts, key=order) if counts[k]]


class Digests:
    """Collects the routes of the aggregate audiences during the fan-out of a scan, then
    writes the digests: ``add`` per route, ``write`` once."""

    def __init__(self, on: date, run: int):
        self.on, self.run, self.sources = on, run, []

    def add(self, rows: QuerySet, *, channel, recipient, config, rank: int) -> None:
        """The warnings of ``rows`` go to ``recipient`` through ``channel`` (expressions on
        the warning row), with the settings of organization ``config``. Where several
        audiences reach the same (channel, recipient), the one of the highest ``rank``
        (told later in the rules' order) gives the settings."""
        self.sources.append(
            rows.order_by()
            .annotate(
                d_channel=channel,
                d_recipient=Left(recipient, 255),
                d_config=config,
                d_rank=Value(rank),
                d_about=F("person__organization_id"),
                d_warning=F("pk"),
                d_kind=F("kind"),
                d_level=F("level"),
                d_days=F("days_left"),
            )  # fmt: skip
            .values(*COLUMNS)
        )

    def write(self) -> tuple[int, int]:
        """Write the digests; returns (outbox rows, inbox items) inserted."""
        if not self.sources:
            return 0, 0
        connection = connections[self.sources[0].db]
        parts, params = [], []
        for qs in self.sources:
            try:
                sql, p = qs.query.get_compiler(connection=connection).as_sql()
            except EmptyResultSet:
                continue
            parts.append(sql)
            params.extend(p)
        if not parts:
            return 0, 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the pairs are sorted and grouped in memory
                cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(f"DROP TABLE IF EXISTS {PAIRS}")
            cursor.execute(f"CREATE TEMP TABLE {PAIRS} AS " + " UNION ALL ".join(parts), params)
            try:
                digests = self._group(cursor)
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS {CUTS}")
                cursor.execute(f"DROP TABLE {PAIRS}")
        if not digests:
            return 0, 0
        details = _details({pk for d in digests.values() for pk in d.listed})
        return self._insert(list(digests.values()), details)

    # -- grouping ----------------------------------------------------------------------------

    def _group(self, cursor) -> dict[tuple[str, str], Digest]:
        digests: dict[tuple[str, str], Digest] = {}
        cursor.execute(
            f"SELECT d_channel, d_recipient, d_config, MAX(d_rank), MIN(d_about), MAX(d_about)"
            f" FROM {PAIRS} GROUP BY d_channel, d_recipient, d_config"
        )
        best, abouts = {}, defaultdict(set)
        for channel, recipient, config, rank, low, high in cursor.fetchall():
            key = (channel, recipient)
            config = int(config) if config is not None else None
            choice = (rank, config if config is not None else 0)
            if key not in best or choice > best[key][0]:
                best[key] = (choice, config)
            abouts[key] |= {low, high}
        for key, (_choice, config) in best.items():
            about = abouts[key]
            single = next(iter(about)) if len(about) == 1 else None
            digests[key] = Digest(*key, config=config, about=single)
        distinct = (
            f"(SELECT DISTINCT d_channel, d_recipient, d_warning, d_kind, d_level, d_days"
            f" FROM {PAIRS})"
        )
        cursor.execute(
            f"SELECT d.d_channel, d.d_recipient, d.d_kind, d.d_level, COUNT(*) FROM {distinct} d"
            f" GROUP BY d.d_channel, d.d_recipient, d.d_kind, d.d_level"
        )
        groups = defaultdict(Counter)  # (level, renewal) -> warnings, per digest
        for channel, recipient, kind, level, n in cursor.fetchall():
            digests[(channel, recipient)].counts[count_key(kind, level)] += n
            groups[(channel, recipient)][(level, int(kind == WarningKind.RENEWAL_OPEN))] += n
        # Only the groups up to the one holding a digest's last listed warning can hold its
        # listed ones: the window sorts those, not every pair (2.5 s -> 0.x s at 1M).
        cursor.execute(f"DROP TABLE IF EXISTS {CUTS}")
        cursor.execute(
            f"CREATE TEMP TABLE {CUTS} (d_channel varchar(16), d_recipient varchar(255),"
            f" c_level integer, c_renewal integer)"
        )
        cursor.executemany(
            f"INSERT INTO {CUTS} VALUES (%s, %s, %s, %s)",
            [(*key, *_cutoff(counts)) for key, counts in groups.items()],
        )
        renewal = f"CASE WHEN d.d_kind = '{WarningKind.RENEWAL_OPEN}' THEN 1 ELSE 0 END"
        cursor.execute(
            f"SELECT d_channel, d_recipient, d_warning FROM (SELECT d.d_channel, d.d_recipient,"
            f" d.d_warning, ROW_NUMBER() OVER (PARTITION BY d.d_channel, d.d_recipient ORDER BY"
            f" d.d_level, {renewal}, d.d_days, d.d_warning) AS rn"
            f" FROM {distinct} d JOIN {CUTS} c"
            f" ON c.d_channel = d.d_channel AND c.d_recipient = d.d_recipient"
            f" WHERE d.d_level < c.c_level OR (d.d_level = c.c_level AND {renewal} <= c.c_renewal)"
            f") ranked WHERE rn <= %s ORDER BY d_channel, d_recipient, rn",
            [DIGEST_ITEMS],
        )
        for channel, recipient, warning_id in cursor.fetchall():
            digests[(channel, recipient)].listed.append(warning_id)
        return digests

    # -- writing -----------------------------------------------------------------------------

    def _insert(self, digests: list[Digest], details: dict[int, dict]) -> tuple[int, int]:
        now, link = timezone.now(), warning_list_link(self.on)
        messages, inbox = [], []
        with translation.override(MESSAGE_LANGUAGE):
            for d in sorted(digests, key=lambda d: (d.channel, d.recipient)):
                texts = DigestTexts(self.on, d, [details[pk] for pk in d.listed], link)
                key = digest_key(self.on, self.run, d.channel, d.recipient)
                if d.channel == INBOX:
                    inbox.append(
                        InboxItem(
                            user_id=int(d.recipient),
                            title=texts.subject[:200],
                            body=texts.inbox_body(),
                            link=link[:200],
                            dedupe_key=key,
                        )  # fmt: skip
                    )
                    continue
                body, payload = texts.for_channel(d.channel)
                messages.append(
                    Notification(
                        channel=d.channel,
                        recipient=d.recipient,
                        subject=texts.subject[:200],
                        body=body,
                        payload=payload,
                        dedupe_key=key,
                        organization_id=d.config,
                        about_organization_id=d.about,
                        state=State.PENDING,
                        next_attempt_at=now,
                    )  # fmt: skip
                )
        new_messages = _new(Notification, messages)
        new_inbox = _new(InboxItem, inbox)
        insert_objects(Notification, new_messages, ignore_conflicts=True)
        insert_objects(InboxItem, new_inbox, ignore_conflicts=True)
        return len(new_messages), len(new_inbox)


def _cutoff(groups: Counter) -> tuple[int, int]:
    """The (level, renewal) group, in urgency order, that holds the ``DIGEST_ITEMS``-th
    most urgent warning (the last group if there are fewer)."""
    seen = 0
    for group in sorted(groups):
        seen += groups[group]
        if seen >= DIGEST_ITEMS:
            return group
    return max(groups)


def _new(model, rows: list) -> list:
    """The rows whose dedupe key is not taken yet (the scan holds the scan lock)."""
    keys = [r.dedupe_key for r in rows]
    taken = set()
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        taken |= set(
            model.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        )
    return [r for r in rows if r.dedupe_key not in taken]


DETAIL_FIELDS = {
    "id": "pk", "kind": "kind", "level": "level", "due_date": "due_date",
    "days_left": "days_left", "name": "person__name", "organization": "person__organization__name",
    "item": "certificate__type__name", "code": "certificate__type__code",
    "number": "certificate__number", "certificate_id": "certificate_id",
}  # fmt: skip


def _details(ids: set[int]) -> dict[int, dict]:
    out, ids = {}, sorted(ids)
    for i in range(0, len(ids), CHUNK):
        qs = CertificateWarning.objects.filter(pk__in=ids[i : i + CHUNK]).order_by()
        for values in qs.values_list(*DETAIL_FIELDS.values()):
            row = dict(zip(DETAIL_FIELDS, values, strict=True))
            out[row["id"]] = row
    return out


class DigestTexts:
    """The words of one digest, in the message language (the caller's override)."""

    def __init__(self, on: date, digest: Digest, items: list[dict], link: str):
        self.on, self.d, self.items, self.link = on, digest, items, link
        self.more = digest.total - len(items)
        self.subject = self._subject()

    def _subject(self) -> str:
        lapsed = self.d.counts.get(str(LAPSE), 0)
        values = {"date": self.on.isoformat(), "count": self.d.total, "lapsed": lapsed}
        if lapsed:
            return (
                _("[Safety warning] %(date)s: %(count)d certificates, %(lapsed)d lapsed") % values
            )
        return _("[Safety warning] %(date)s: %(count)d certificates need attention") % values

    def count_lines(self) -> list[str]:
        return [count_label(key, n) for key, n in ordered_counts(self.d.counts)]

    def item_lines(self) -> list[str]:
        return [item_line(item) for item in self.items]

    def more_line(self) -> str:
        return _("… and %(count)d more.") % {"count": self.more} if self.more > 0 else ""

    def context(self) -> dict:
        return {
            "subject": self.subject, "date": self.on.isoformat(), "total": self.d.total,
            "counts": self.count_lines(), "items": self.item_lines(), "more": self.more_line(),
            "link": self.link,
        }  # fmt: skip

    def for_channel(self, channel: str) -> tuple[str, dict]:
        """(body, payload) of the outbox row, as each transport reads it."""
        ctx = self.context()
        digest = {
            "date": self.on.isoformat(), "counts": dict(self.d.counts),
            "items": list(self.d.listed), "more": max(self.more, 0),
        }  # fmt: skip
        base = {"link": self.link, "digest": digest}
        if channel in SMS_CHANNELS:
            return render_to_string("alerts/messages/digest_sms.txt", ctx).strip(), {
                **base,
                "sms_params": self.sms_params(),
                "digest_sms_params": self.digest_sms_params(),
            }
        text = render_to_string("alerts/messages/digest_email.txt", ctx)
        if channel == Channel.EMAIL:
            html = render_to_string("alerts/messages/digest_email.html", ctx)
            return text, {**base, "html": html}
        if channel in GROUP_CHANNELS:
            return text, {
                **base,
                "markdown": render_to_string("alerts/messages/digest_robot.md", ctx),
            }
        return text, base

    def sms_params(self) -> dict:
        """The per-certificate SMS template's variables (name, item, date, days, action),
        for a digest: whose people, how many certificates, the scan date, the fewest days
        left of the dates not yet passed (0 if all have), and where to look."""
        values = self.digest_sms_params()
        return {
            "name": values["name"], "item": _("%(count)d certificates") % {"count": self.d.total},
            "date": values["date"], "days": values["days"], "action": values["action"],
        }  # fmt: skip

    def digest_sms_params(self) -> dict:
        """A digest template's variables (name, count, date, days, action): the same
        facts, the count as a number, for an account that has a digest template approved
        (config.AliyunSmsSettings.digest_template_code)."""
        left = [
            i["days_left"]
            for i in self.items
            if i["level"] != LAPSE and i["kind"] != WarningKind.RENEWAL_OPEN
        ]
        name = (
            self.items[0]["organization"]
            if self.d.about is not None and self.items
            else _("your organization")
        )
        return {
            "name": name, "count": str(self.d.total), "date": self.on.isoformat(),
            "days": str(min(left) if left else 0), "action": _("see the warning list"),
        }  # fmt: skip

    def inbox_body(self) -> str:
        parts = ["；".join(self.count_lines())]
        if self.items:
            parts.append(_("Most urgent: %(item)s") % {"item": item_line(self.items[0])})
        return " ".join(parts)


def count_label(key: str, count: int) -> str:
    if key == WarningKind.RENEWAL_OPEN:
        return _("renewal still open: %(count)d") % {"count": count}
    if int(key) == LAPSE:
        return _("lapsed: %(count)d") % {"count": count}
    return _("within %(days)s days: %(count)d") % {"days": key, "count": count}


def item_line(item: dict) -> str:
    """One warning of a digest: the warning's own headline, with its values."""
    kind, lapsed = item["kind"], item["level"] == LAPSE
    days = -item["days_left"] if kind == WarningKind.RENEWAL_OPEN else item["days_left"]
    m = _Markers(
        kind=kind, level=item["level"], lapsed=lapsed, name=item["name"],
        organization=item["organization"], item=item["item"], code=item["code"],
        number=item["number"], date=item["due_date"].isoformat(), days=str(days),
    )  # fmt: skip
    values = {
        "headline": headline(m),
        "organization": item["organization"],
        "number": item["number"],
    }
    return _("%(headline)s (%(organization)s, No. %(number)s)") % values
