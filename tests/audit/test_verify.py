"""Issue 6: `safework audit verify` re-computes the chain and reports the first broken
entry; edits, deletions and reordering done directly in SQL are each detected; anchors
prove that nothing before them changed."""

import json
import subprocess
import sys
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safework.audit.anchors import anchor_check, anchor_create, anchor_dir
from safework.audit.models import AuditEntry
from safework.audit.services import audit_record
from safework.audit.verify import verify_chain
from safework.core.actors import Actor


def _append(n: int) -> None:
    actor = Actor.system("test")
    for i in range(n):
        audit_record(
            actor=actor,
            action="update",
            object_type="people.person",
            object_id=str(i),
            object_repr=f"工人{i}",
            changes={"phone": {"before": "1", "after": str(i)}},
        )


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


@pytest.fixture
def chain(db):
    _append(6)
    assert verify_chain().ok


def test_intact_chain_verifies(chain):
    result = verify_chain()
    assert (result.ok, result.count) == (True, 6)
    assert result.head_hash == AuditEntry.objects.get(seq=6).hash


def test_edited_entry_is_detected(chain):
    _sql("UPDATE audit_auditentry SET object_repr = %s WHERE seq = 3", ["改过"])
    result = verify_chain()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert "edited" in result.problem


def test_edited_changes_json_is_detected(chain):
    entry = AuditEntry.objects.get(seq=4)
    entry.changes = {"phone": {"before": "1", "after": "forged"}}
    AuditEntry.objects.filter(pk=entry.pk).update(changes=entry.changes)
    assert verify_chain().broken_seq == 4


def test_edit_with_recomputed_own_hash_breaks_the_next_link(chain):
    """Re-hashing a forged entry is not enough: the next entry still holds the old hash."""
    from safework.audit.chain import body_of, entry_hash

    e = AuditEntry.objects.get(seq=2)
    body = body_of(
        seq=2,
        at=e.at,
        actor="forger",
        actor_user_id=None,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        object_repr=e.object_repr,
        changes=e.changes,
        ip=e.ip,
        request_id=e.request_id,
    )
    AuditEntry.objects.filter(pk=e.pk).update(
        actor="forger", hash=entry_hash(prev_hash=e.prev_hash, body=body)
    )
    result = verify_chain()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_deleted_entry_is_detected(chain):
    _sql("DELETE FROM audit_auditentry WHERE seq = 3")
    result = verify_chain()
    assert (result.ok, result.broken_seq) == (False, 4)
    assert "deleted" in result.problem


def test_deleted_latest_entry_is_detected(chain):
    _sql("DELETE FROM audit_auditentry WHERE seq = 6")
    result = verify_chain()
    assert not result.ok and "deleted" in result.problem


def test_reordered_entries_are_detected(chain):
    _sql("UPDATE audit_auditentry SET seq = -1 WHERE seq = 2")
    _sql("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    _sql("UPDATE audit_auditentry SET seq = 3 WHERE seq = -1")
    result = verify_chain()
    assert (result.ok, result.broken_seq) == (False, 2)


def test_command_exit_codes(chain, capsys):
    call_command("audit", "verify")
    assert "intact: 6 entries" in capsys.readouterr().out
    _sql("UPDATE audit_auditentry SET action = 'x' WHERE seq = 5")
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert "entry 5" in capsys.readouterr().err


def test_anchor_proves_earlier_entries_unchanged(chain, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    anchor = anchor_create(on=date(2026, 11, 28))
    doc = json.loads((anchor_dir() / anchor.file_name).read_text())
    _append(3)  # later entries do not disturb an old anchor
    assert anchor_check(doc)[0]
    _sql("UPDATE audit_auditentry SET object_id = '99' WHERE seq = 1")
    ok, message = anchor_check(doc)
    assert not ok and "entry 1" in message


def test_forged_anchor_is_rejected(chain, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    anchor = anchor_create(on=date(2026, 11, 28))
    doc = json.loads((anchor_dir() / anchor.file_name).read_text())
    doc["seq"] = 5
    assert anchor_check(doc) == (False, "the anchor's signature is not valid")


def test_anchor_is_one_per_day(chain, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = anchor_create(on=date(2026, 11, 28))
    _append(1)
    assert anchor_create(on=date(2026, 11, 28)).pk == first.pk


_WORKER = """
import os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "safework.settings"
django.setup()
from safework.audit.services import audit_record
from safework.core.actors import Actor
for i in range(int(sys.argv[1])):
    audit_record(actor=Actor.system("proc" + sys.argv[2]), action="update",
                 object_type="t", object_id=str(i))
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_never_fork_or_gap():
    """Several processes append at once: one unbroken chain, no duplicate seq, no gap."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )
    else:
        url = f"sqlite:///{settings_dict['NAME']}"
    env = {**__import__("os").environ, "SAFEWORK_DATABASE_URL": url}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, "30", str(k)], env=env) for k in range(4)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    result = verify_chain()
    assert result.ok, result.problem
    assert result.count == 120
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 121))


def test_anchor_and_verify_with_an_anchor_from_the_command_line(chain, settings, tmp_path, capsys):
    """`safework audit anchor --date D` writes the signed file; `safework audit verify
    --anchor FILE` (what an auditor runs with the file they kept) exits 0 while the
    anchored entries are unchanged and 1 once one of them is edited."""
    settings.DATA_DIR = tmp_path
    call_command("audit", "anchor", "--date", "2026-11-28")
    assert "6 entries" in capsys.readouterr().out
    path = anchor_dir() / "audit-anchor-2026-11-28.json"
    kept = tmp_path / "auditor-copy.json"
    kept.write_text(path.read_text())
    _append(2)
    call_command("audit", "verify", "--anchor", str(kept))
    assert "anchor: entries 1..6 are unchanged since 2026-11-28" in capsys.readouterr().out
    # Rewriting the whole chain consistently (every hash recomputed) still breaks the
    # anchor: its head hash is what the auditor holds.
    from safework.audit.chain import body_of, entry_hash

    prev = "0" * 64
    for e in AuditEntry.objects.order_by("seq"):
        body = body_of(
            seq=e.seq,
            at=e.at,
            actor="forger" if e.seq == 2 else e.actor,
            actor_user_id=e.actor_user_id,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            object_repr=e.object_repr,
            changes=e.changes,
            ip=e.ip,
            request_id=e.request_id,
        )
        digest = entry_hash(prev_hash=prev, body=body)
        AuditEntry.objects.filter(pk=e.pk).update(actor=body["actor"], prev_hash=prev, hash=digest)
        prev = digest
    from safework.audit.models import AuditHead

    AuditHead.objects.filter(pk=1).update(hash=prev)
    assert verify_chain().ok  # the rewritten chain is consistent in itself...
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", "--anchor", str(kept))
    assert exc.value.code == 1  # ...but not with the anchor the auditor kept
    assert "no longer has the anchored hash" in capsys.readouterr().err


def test_verify_with_an_unreadable_anchor_file_says_so(chain, tmp_path):
    bad = tmp_path / "anchor.json"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="cannot read anchor"):
        call_command("audit", "verify", "--anchor", str(bad))


def test_the_anchor_is_written_daily_at_00_05_shanghai_time():
    from datetime import datetime

    from safework.audit.tasks import daily_anchor

    task = daily_anchor.task_class()
    assert task.validate_datetime(datetime(2026, 6, 1, 16, 5))  # 00:05 in Shanghai (UTC+8)
    assert not task.validate_datetime(datetime(2026, 6, 1, 0, 5))
