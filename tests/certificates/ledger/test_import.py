"""Importing ledgers end to end through the services: dry run vs commit, idempotent
re-import, all-or-nothing, every row problem named by sheet / row / column in Chinese,
multiple sheets, CSV encodings, limits, and the recorded import with its error report."""

import io
from datetime import date

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from safework.audit.models import AuditEntry
from safework.certificates import numbers
from safework.certificates.ledger import commit, reader
from safework.certificates.ledger.report import error_report
from safework.certificates.ledger.services import ledger_commit, ledger_import_file, ledger_preview
from safework.certificates.models import Certificate, LedgerImport, LedgerImportRow
from safework.core.errors import ValidationFailed
from safework.people.models import Person
from tests.certificates.ledger.conftest import (
    HEADER,
    csv_bytes,
    id_no,
    ledger,
    row,
    xlsx,
)

pytestmark = pytest.mark.django_db


def run(actor, data, dry_run=False, **kw):
    return ledger_import_file(actor=actor, data=data, file_name="台账.xlsx", dry_run=dry_run, **kw)


def register():
    people = sorted(Person.objects.values_list("name", "id_number_hash", "phone", "organization"))
    certs = sorted(
        Certificate.objects.values_list(
            "number_hash", "type__code", "valid_from", "valid_until", "next_review_due"
        )
    )
    return people, certs


def only_error(record):
    assert record.state == LedgerImport.State.REFUSED or record.errors
    assert len(record.errors) == 1, record.errors
    return record.errors[0]


def test_dry_run_counts_and_writes_nothing(today, manager, org_a):
    record = run(manager, ledger(row(1), row(2), row(3)), dry_run=True)
    assert record.state == LedgerImport.State.PREVIEW
    assert record.counts["people_created"] == 3
    assert record.counts["certificates_created"] == 3
    assert record.counts["created"] == 3 and record.counts["unchanged"] == 0
    assert record.errors == []
    assert record.unmapped_columns == [{"sheet": "特种作业人员", "column": "序号"}]
    assert Person.objects.count() == 0 and Certificate.objects.count() == 0
    assert AuditEntry.objects.filter(action="ledger_preview", object_id=str(record.pk)).exists()


def test_commit_registers_people_and_certificates_as_the_services_store_them(today, manager, org_a):
    record = run(manager, ledger(row(1, 准操项目="电焊工"), row(2, 证书编号="沪安监2019-0002")))
    assert record.state == LedgerImport.State.COMMITTED
    person = Person.objects.get(name="工人1")
    assert person.full_id_number() == id_no(1)
    assert person.id_number_masked == id_no(1)[:6] + "********" + id_no(1)[-4:]
    assert person.organization == org_a and person.phone == "13900000001"
    assert [t.code for t in person.special_operations.all()] == ["MEM-2.1"]
    cert = Certificate.objects.get(person=person)
    # A number carrying the ID number is stored masked, found by its keyed hash.
    assert cert.number_is_id_number and "*" in cert.number
    assert Certificate.objects.get(number_hash=numbers.number_hash(f"T{id_no(1)}")) == cert
    assert numbers.full_number(cert) == f"T{id_no(1)}"
    assert (cert.valid_from, cert.valid_until) == (date(2024, 3, 1), date(2030, 3, 1))
    assert cert.next_review_due == date(2027, 3, 1)
    legacy = Certificate.objects.get(person__name="工人2")
    assert legacy.number == "沪安监2019-0002" and not legacy.number_is_id_number
    rows = LedgerImportRow.objects.filter(ledger_import=record)
    assert {(r.row, r.action) for r in rows} == {(4, "created"), (5, "created")}
    entry = AuditEntry.objects.get(action="ledger_import", object_id=str(record.pk))
    assert entry.changes["people_created"] == 2 and len(entry.changes["rows_sha256"]) == 64
    assert entry.changes["file_sha256"] == record.file_sha256


def test_reimporting_the_same_file_changes_nothing(today, manager, org_a):
    data = ledger(row(1), row(2), row(3, 复审日期="无"))
    run(manager, data)
    before, audit_count = register(), AuditEntry.objects.count()
    again = run(manager, data)
    assert again.state == LedgerImport.State.COMMITTED
    assert again.counts["unchanged"] == 3
    assert again.counts["created"] == again.counts["updated"] == 0
    assert register() == before
    # Only the import's own entry: no person or certificate was touched.
    assert AuditEntry.objects.count() == audit_count + 1


def test_a_changed_row_updates_and_audits_the_change(today, manager, org_a):
    run(manager, ledger(row(1), row(2)))
    record = run(
        manager, ledger(row(1, 有效期至=date(2030, 2, 28), 联系电话="13700000000"), row(2))
    )
    assert record.counts["updated"] == 1 and record.counts["unchanged"] == 1
    assert record.counts["certificates_updated"] == 1 and record.counts["people_updated"] == 1
    cert = Certificate.objects.get(person__name="工人1")
    assert cert.valid_until == date(2030, 2, 28)
    entry = AuditEntry.objects.get(
        action="update", object_type="certificates.certificate", object_id=str(cert.pk)
    )
    assert entry.changes["valid_until"] == {"before": "2030-03-01", "after": "2030-02-28"}
    person = Person.objects.get(name="工人1")
    assert person.phone == "13700000000"


def test_one_bad_row_and_nothing_is_written(today, manager, org_a):
    bad = id_no(3)[:-1] + ("0" if id_no(3)[-1] != "0" else "1")
    record = run(manager, ledger(row(1), row(2), row(3, 身份证号码=bad)))
    assert record.state == LedgerImport.State.REFUSED
    error = only_error(record)
    assert error == {
        "sheet": "特种作业人员",
        "row": 6,
        "column": "身份证号码",
        "message": "身份证号校验码不正确，请逐位核对。",
    }
    assert Person.objects.count() == 0 and Certificate.objects.count() == 0


def test_a_failure_while_writing_rolls_everything_back(today, manager, org_a, monkeypatch):
    def explode(plans):
        raise RuntimeError("disk full")

    monkeypatch.setattr(commit, "_create_certificates", explode)
    with pytest.raises(RuntimeError):
        run(manager, ledger(row(1), row(2)))
    assert Person.objects.count() == 0
    assert not LedgerImport.objects.exists()
    assert not AuditEntry.objects.filter(action="ledger_import").exists()


def test_preview_then_commit_from_the_stored_file(today, manager, org_a):
    data = ledger(row(1))
    preview = ledger_preview(actor=manager, data=data, file_name="a.xlsx")
    assert default_storage.exists(preview.stored_file)
    with default_storage.open(preview.stored_file, "rb") as fh:
        kept = fh.read()
    assert data not in kept and id_no(1).encode() not in kept  # encrypted at rest (PIPL)
    done = ledger_commit(actor=manager, ledger_import=preview)
    assert done.state == LedgerImport.State.COMMITTED and Person.objects.count() == 1
    with pytest.raises(ValidationFailed):
        ledger_commit(actor=manager, ledger_import=done)


def test_every_sheet_with_a_header_is_read_and_others_are_named(today, manager, org_a, org_b):
    data = xlsx(
        {
            "甲公司": [HEADER, row(1), row(2)],
            "填表说明": [["身份证号请设置为文本格式"]],
            "乙公司": [HEADER, row(3, org="乙安装公司")],
        }
    )
    record = run(manager, data)
    assert record.counts["sheets"] == ["甲公司", "乙公司"]
    assert record.counts["skipped_sheets"] == ["填表说明"]
    assert Person.objects.get(name="工人3").organization == org_b
    assert Certificate.objects.count() == 3


def test_dates_as_typed_serials_and_a_single_validity_cell(today, manager, org_a):
    header = [
        "姓名",
        "身份证号",
        "单位",
        "操作项目",
        "证号",
        "发证机关",
        "初次领证日期",
        "有效期",
        "应复审日期",
    ]
    rows = [
        header,
        [
            "甲",
            id_no(1),
            "甲建设公司",
            "电焊工",
            "A-1",
            "上海市应急管理局",
            43891,
            "2024.03.01-2030.03.01",
            "2027年3月1日",
        ],
        [
            "乙",
            id_no(2),
            "甲建设公司",
            "焊工",
            "A-2",
            "上海市应急管理局",
            "2020/3/1",
            "2024年3月1日至2030年3月1日",
            "２０２７．３．１",
        ],
        [
            "丙",
            id_no(3),
            "甲建设公司",
            "2.1",
            "A-3",
            "上海市应急管理局",
            "20200301",
            "20240301-20300301",
            "无",
        ],
    ]
    record = run(manager, xlsx({"Sheet1": rows}))
    assert record.errors == []
    for name in "甲乙":
        cert = Certificate.objects.get(person__name=name)
        assert cert.first_issued_on == date(2020, 3, 1)
        assert (cert.valid_from, cert.valid_until) == (date(2024, 3, 1), date(2030, 3, 1))
        assert cert.next_review_due == date(2027, 3, 1)
    # "无": no review due, as the ledger says (not the computed default).
    assert Certificate.objects.get(person__name="丙").next_review_due is None


def test_without_a_review_column_the_default_review_date_is_computed(today, manager, org_a):
    header = [h for h in HEADER if h != "复审日期"]
    data = xlsx(
        {"S": [header, [v for h, v in zip(HEADER, row(1), strict=True) if h != "复审日期"]]}
    )
    run(manager, data)
    # 第二十一条: MEM review every 3 years from the start of validity.
    assert Certificate.objects.get().next_review_due == date(2027, 3, 1)


def test_an_id_number_excel_turned_into_a_number_is_unrecoverable(today, manager, org_a):
    record = run(manager, ledger(row(1), row(2, 身份证号码=float(id_no(2)))))
    error = only_error(record)
    assert (error["row"], error["column"]) == (5, "身份证号码")
    assert "无法" in error["message"] and "1.10101E+17" in error["message"]


def test_a_lowercase_x_is_accepted(today, manager, org_a):
    seq = next(s for s in range(1, 500) if id_no(s).endswith("X"))
    record = run(manager, ledger(row(seq, 身份证号码=id_no(seq).lower(), 证书编号="X-1")))
    assert record.errors == [] and Person.objects.get().full_id_number() == id_no(seq)


def test_an_unknown_item_lists_the_closest_names(today, manager, org_a):
    error = only_error(run(manager, ledger(row(1, 准操项目="熔化焊工", 作业类别=""))))
    assert error["column"] == "准操项目"
    assert "熔化焊接与热切割作业 (MEM-2.1)" in error["message"]


def test_the_same_id_number_with_two_names_is_an_error(today, manager, org_a):
    error = only_error(run(manager, ledger(row(1), row(2, 身份证号码=id_no(1), 姓名="李四"))))
    assert (error["row"], error["column"]) == (5, "姓名")
    assert "第4行" in error["message"] or "4" in error["message"]


def test_the_same_person_and_item_twice_is_an_error(today, manager, org_a):
    error = only_error(run(manager, ledger(row(1), row(1, 证书编号="OTHER-1"))))
    assert (error["row"], error["column"]) == (5, "准操项目")


def test_one_person_with_two_certificates_is_fine(today, manager, org_a):
    second = row(1, 准操项目="高压电工", 作业类别="电工作业", 证书编号="HV-1")
    record = run(manager, ledger(row(1), second))
    assert record.errors == [] and record.counts["people_created"] == 1
    assert Person.objects.get().special_operations.count() == 2


def test_empty_rows_are_skipped_and_a_row_without_a_name_is_an_error(today, manager, org_a):
    blank = [None] * len(HEADER)
    record = run(manager, ledger(row(1), blank, blank, row(2, 姓名="")))
    assert record.counts["empty_rows"] == 2
    error = only_error(record)
    assert (error["row"], error["column"]) == (7, "姓名")


def test_an_unknown_organization_and_a_wrong_sex(today, manager, org_a):
    record = run(manager, ledger(row(1, org="不存在公司"), row(2, 性别="女")))
    assert [(e["row"], e["column"]) for e in record.errors] == [(4, "所属单位"), (5, "性别")]


def test_a_certificate_number_that_is_another_persons_id(today, manager, org_a):
    error = only_error(run(manager, ledger(row(1, 证书编号=id_no(2)))))
    assert error["column"] == "证书编号"


def test_missing_column_is_named_once(today, manager, org_a):
    header = [h for h in HEADER if h != "发证机关"]
    data = xlsx(
        {"S": [header, [v for h, v in zip(HEADER, row(1), strict=True) if h != "发证机关"]]}
    )
    error = only_error(run(manager, data))
    assert error["row"] == 3 and error["column"] == "发证机关"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding(today, manager, org_a, encoding):
    rows = [["台账"], HEADER, row(1), row(2)]
    rows = [[v.isoformat() if isinstance(v, date) else v for v in r] for r in rows]
    record = ledger_import_file(
        actor=manager, data=csv_bytes(rows, encoding), file_name="台账.csv", dry_run=False
    )
    assert record.errors == [], record.errors
    assert sorted(Person.objects.values_list("name", flat=True)) == ["工人1", "工人2"]
    assert record.counts["sheets"] == ["台账"]


def test_too_big_too_many_rows_old_xls_and_garbage_are_refused(today, manager, org_a, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    with pytest.raises(ValidationFailed) as exc:
        run(manager, ledger(*[row(i) for i in range(1, 8)]))
    assert "行" in str(exc.value.errors["file"])
    monkeypatch.setattr(reader, "MAX_BYTES", 1000)
    with pytest.raises(ValidationFailed) as exc:
        run(manager, ledger(row(1)))
    assert "MB" in str(exc.value.errors["file"])
    monkeypatch.setattr(reader, "MAX_BYTES", 10**6)
    with pytest.raises(ValidationFailed, match="xls"):
        run(manager, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ValidationFailed):
        run(manager, b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    assert not LedgerImport.objects.exists()


def test_the_error_report_adds_an_error_column(today, manager, org_a):
    record = run(manager, ledger(row(1), row(2, 准操项目="不存在的项目")))
    with open(error_report(record), "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    ws = wb["特种作业人员"]
    assert ws["A3"].value == "错误"
    assert ws["B3"].value == "序号"
    assert ws["A4"].value is None
    assert ws["A5"].value.startswith("准操项目: ")
    assert ws["C5"].value == "工人2"


def test_a_first_import_writes_no_update_entries(today, manager, org_a):
    """What an import creates is listed on the import, not audited as changes."""
    run(manager, ledger(row(1), row(2)))
    assert not AuditEntry.objects.filter(action="update").exists()
