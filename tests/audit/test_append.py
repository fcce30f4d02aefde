"""Appending to the hash-chained audit trail: entry n carries prev_hash = hash of entry
n-1 and hash = sha256(prev_hash + canonical body); seq counts 1, 2, 3 ... with no gap and
no fork, also when several writers append at once; a rolled-back change leaves no entry."""

import hashlib
import json
import threading
from datetime import UTC

import pytest
from django.db import connection, transaction
from django.utils import timezone

from safework.audit.chain import body_of, canonical, canonical_before_seq
from safework.audit.models import AuditEntry, AuditHead
from safework.audit.services import audit_create, audit_record
from safework.core.actors import Actor

GENESIS = "0" * 64


def append(n: int, actor: Actor | None = None, **kw) -> None:
    actor = actor or Actor.system("test")
    for i in range(n):
        audit_record(actor=actor, action="update", object_type="t", object_id=str(i), **kw)


def recomputed_hash(entry: AuditEntry) -> str:
    """sha256(prev_hash + canonical JSON of the body), from the stored row alone."""
    body = body_of(
        seq=entry.seq,
        at=entry.at.astimezone(UTC),
        actor=entry.actor,
        actor_user_id=entry.actor_user_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        changes=entry.changes,
        ip=entry.ip,
        request_id=entry.request_id,
    )
    return hashlib.sha256(entry.prev_hash.encode() + canonical(body)).hexdigest()


def assert_unbroken_chain(expected_count: int) -> None:
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, expected_count + 1))
    prev = GENESIS
    for e in entries:
        assert e.prev_hash == prev, f"fork or gap at {e.seq}"
        assert e.hash == recomputed_hash(e), f"hash of {e.seq} does not match its content"
        prev = e.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (expected_count, prev)


def test_canonical_form_is_sorted_compact_utf8():
    """The canonical body is what is hashed: key order and spacing must not matter, and
    Chinese text is hashed as UTF-8, not as \\u escapes."""
    assert canonical({"b": 1, "a": "焊工"}) == '{"a":"焊工","b":1}'.encode()
    assert canonical({"a": "焊工", "b": 1}) == canonical(json.loads('{"b": 1, "a": "焊工"}'))


def test_the_canonical_form_ends_with_the_sequence_number():
    """PostgreSQL finishes the hash from the body before ``seq`` and the number it locks:
    those bytes must be exactly the canonical form of the whole body."""
    body = body_of(
        seq=0,
        at=timezone.now(),
        actor="a",
        actor_user_id=None,
        action="u",
        object_type="t",
        object_id="1",
        object_repr="",
        changes={"seq": "1"},
        ip=None,
        request_id="",
    )
    for seq in (1, 9, 10, 12345678901):
        whole = canonical({**body, "seq": seq})
        assert canonical_before_seq(body) + str(seq).encode() + b"}" == whole


def test_awkward_text_is_hashed_as_it_is_stored(db):
    """Quotes, backslashes, control characters, emoji, Chinese and nested JSON in every
    text field: the hash the database computed matches the one recomputed from the row."""
    awkward = 'a"b\\c\n\t\u0001 焊工 🔥 }{ %s %(x)s'
    audit_record(
        actor=Actor(ip="2001:DB8::1", request_id=awkward, system_label=awkward),
        action="update",
        object_type="t",
        object_id=awkward[:64],
        object_repr=awkward,
        changes={awkward: {"before": [1, 2.5, None, True], "after": {"k": awkward}}},
    )
    append(2)
    assert_unbroken_chain(3)


def test_numbers_are_hashed_as_jsonb_gives_them_back(db):
    """jsonb keeps numbers as decimals: a float with an exponent or a negative zero must be
    hashed in the form the database returns, or an untouched entry would fail verify."""
    from safework.audit.verify import verify_chain

    numbers = [1e16, -0.0, 1.5e300, 1e-05, 2.5, 16.0, -3e20, 12345678901234567890, 0.1 + 0.2]
    audit_record(
        actor=Actor.system("test"), action="update", object_type="t",
        changes={"n": {"before": numbers, "after": [float("nan"), float("inf")]}},
    )  # fmt: skip
    assert_unbroken_chain(1)
    assert verify_chain().ok


def test_entries_chain_and_count_without_gaps(db):
    append(5)
    assert_unbroken_chain(5)


def test_entry_records_who_what_and_the_changes(db, manager_user):
    actor = Actor(user=manager_user, ip="10.1.2.3", request_id="req-1")
    entry = audit_record(
        actor=actor,
        action="update",
        object_type="people.person",
        object_id="7",
        object_repr="张三",
        changes={"phone": {"before": "1", "after": "2"}},
    )
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_user_id, entry.ip, entry.request_id) == (
        "manager",
        manager_user.pk,
        "10.1.2.3",
        "req-1",
    )
    assert entry.changes == {"phone": {"before": "1", "after": "2"}}
    assert_unbroken_chain(1)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("2001:DB8:0:0::1", "2001:db8::1"), ("", None), ("not-an-ip", None), ("10.0.0.1", "10.0.0.1")],
)
def test_ip_is_hashed_as_the_database_stores_it(db, raw, stored):
    """The database keeps IPv6 compressed and lower-case and "" as NULL: the hash must be
    computed over that form, or the intact chain would later fail verification. Something
    that is no IP at all must not make the audited change fail (PostgreSQL inet)."""
    append(1, Actor(system_label="x", ip=raw))
    entry = AuditEntry.objects.get()
    assert entry.ip == stored
    assert_unbroken_chain(1)


def test_rolled_back_change_leaves_no_entry_and_no_gap(db):
    """STYLE.md 3: the entry is written in the change's transaction: a failed change has
    no entry, and the next entry continues the chain where it was."""
    append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        append(1)
        raise RuntimeError("the change fails after its audit entry")
    append(1)
    assert_unbroken_chain(3)


def test_missing_head_row_is_recreated(db):
    """The head row comes from a data migration; a flushed test database or a restored
    dump without it must not stop writes."""
    AuditHead.objects.all().delete()
    append(2)
    assert_unbroken_chain(2)


def _create_site(actor=None, name="站点"):
    """A new site through audit_create, or None where it is not available."""
    from safework.core.models import Organization, Site

    owner = Organization.objects.filter(kind="owner").first() or Organization.objects.create(
        name="业主", kind="owner", credit_code="91350100M000100Y43"
    )
    site = Site(owner=owner, name=name, code=f"s-{len(name)}-{name.encode().hex()[:20]}")
    changes = {"name": {"before": None, "after": name}}
    entry = audit_create(site, actor=actor or Actor.system("test"), changes=changes)
    return None if entry is None else (site.pk, entry)


def test_create_in_one_statement_chains_like_any_append(db):
    """PostgreSQL inserts the row and appends the entry naming the new id in one
    statement; the entry hashes as if it had been written by audit_record, between
    ordinary appends, with awkward text in it."""
    from safework.core.models import Site

    if connection.vendor != "postgresql":
        assert _create_site() is None  # SQLite: the caller takes the two-step path
        return
    append(1)
    site_id, entry = _create_site(name='焊"区\\ }{ 🔥')
    append(1)
    assert Site.objects.get(pk=site_id).name == '焊"区\\ }{ 🔥'
    stored = AuditEntry.objects.get(seq=2)
    assert (stored.object_type, stored.object_id, stored.hash) == (
        "core.site",
        str(site_id),
        entry.hash,
    )
    assert_unbroken_chain(3)


def test_create_refused_by_the_database_writes_neither(db):
    """A row the database refuses (here a duplicate unique code) leaves no entry and no
    gap: the insert and the append are one statement."""
    if connection.vendor != "postgresql":
        pytest.skip("one-statement create is PostgreSQL's")
    from django.db import IntegrityError

    _create_site(name="一")
    with pytest.raises(IntegrityError), transaction.atomic():
        _create_site(name="一")
    _create_site(name="二")
    assert_unbroken_chain(2)


def test_create_recreates_a_missing_head(db):
    if connection.vendor != "postgresql":
        pytest.skip("one-statement create is PostgreSQL's")
    from safework.core.models import Site

    AuditHead.objects.all().delete()
    site_id, _entry = _create_site()
    assert Site.objects.filter(pk=site_id).exists()
    assert_unbroken_chain(1)


@pytest.mark.django_db(transaction=True)
def test_create_outside_a_transaction_commits_itself_fast():
    """Outside a transaction the statement is its own transaction, and asked for a fast
    commit it does not wait for the WAL flush: nothing is left open, and the row and its
    entry are there for every other connection."""
    if connection.vendor != "postgresql":
        pytest.skip("one-statement create is PostgreSQL's")
    from safework.core.models import Site

    AuditEntry.objects.all().delete()
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    before = setting()
    site = Site(owner=_create_owner(), name="快", code="fast")
    audit_create(site, actor=Actor.system("test"), fast_commit=True)
    site_id = site.pk
    assert not connection.in_atomic_block
    assert setting() == before  # only that statement's commit was fast
    assert Site.objects.filter(pk=site_id).exists()
    assert_unbroken_chain(1)


def _create_owner():
    from safework.core.models import Organization

    return Organization.objects.create(name="业主", kind="owner", credit_code="91350100M000100Y43")


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_never_fork_or_gap():
    """Writers in several threads (own connections, own transactions) append at once:
    the head row lock serialises them, so seq has no duplicate and no gap and every
    prev_hash is its predecessor's hash."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite's test database is not shared between threads; see the "
            "multi-process test in test_verify.py"
        )
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            append(15, Actor.system(f"thread-{k}"))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert_unbroken_chain(90)
    per_thread = {a: 0 for a in (f"thread-{k}" for k in range(6))}
    for actor in AuditEntry.objects.values_list("actor", flat=True):
        per_thread[actor] += 1
    assert set(per_thread.values()) == {15}
