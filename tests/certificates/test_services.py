"""Certificate write services: add, edit, renew (换证中), suspend, revoke, reinstate, record
a review (复审) and record the certificate that replaces an old one. Each is atomic and
writes its audit entry with field-level before/after (STYLE.md 3)."""

from datetime import date

import pytest

from safework.audit.models import AuditEntry
from safework.certificates import services as svc
from safework.certificates.choices import ManualState, Status
from safework.certificates.models import Certificate, CertificateType
from safework.certificates.numbers import full_number
from safework.certificates.status import status_of
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from tests.factories import CertificateFactory, PersonFactory

MEM = {
    "type_code": "MEM-2.1",
    "number": "LEGACY-0001",
    "issued_by": "北京市应急管理局",
    "first_issued_on": date(2022, 3, 1),
    "valid_from": date(2022, 3, 1),
    "valid_until": date(2028, 2, 29),
}
SAMR = {**MEM, "type_code": "SAMR-N1", "valid_until": date(2026, 2, 28)}


@pytest.fixture
def person(db):
    return PersonFactory(special_operations=["MEM-2.1"])


@pytest.fixture
def create(manager, person, today):
    def make(**overrides):
        return svc.certificate_create(actor=manager, person=person, **{**MEM, **overrides})

    return make


def audit_entries(obj=None):
    qs = AuditEntry.objects.order_by("seq")
    if obj is not None:
        qs = qs.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(qs)


def field_errors(exc_info) -> dict[str, str]:
    return {k: str(v) for k, v in exc_info.value.errors.items()}


# --- create ---------------------------------------------------------------------------


def test_mem_certificate_gets_its_first_review_three_years_after_validity_starts(create):
    """第二十一条: review (复审) every 3 years."""
    cert = create()
    assert cert.next_review_due == date(2025, 3, 1)


def test_samr_certificate_has_no_separate_review(create):
    """TSG Z6001-2019: the SAMR certificate is reviewed at renewal (valid 4 years)."""
    assert create(**SAMR).next_review_due is None


def test_create_writes_one_audit_entry_with_the_values(create):
    cert = create()
    [entry] = audit_entries()
    assert (entry.action, entry.object_id) == ("create", str(cert.pk))
    assert entry.changes["number"] == {"before": None, "after": "LEGACY-0001"}
    assert entry.changes["valid_until"] == {"before": None, "after": "2028-02-29"}


def test_validity_longer_than_the_catalogue_allows_is_rejected(create):
    """第十九条: a MEM certificate is valid 6 years; 7 years is a typing error."""
    with pytest.raises(ValidationFailed) as exc:
        create(valid_until=date(2029, 3, 1))
    assert "valid_until" in exc.value.errors
    assert "6" in field_errors(exc)["valid_until"]
    assert not Certificate.objects.exists() and not audit_entries()


def test_samr_validity_is_four_years(create):
    with pytest.raises(ValidationFailed) as exc:
        create(**{**SAMR, "valid_until": date(2027, 3, 1)})
    assert "valid_until" in exc.value.errors


def test_end_before_start_is_rejected(create):
    with pytest.raises(ValidationFailed) as exc:
        create(valid_until=date(2022, 2, 1))
    assert "valid_until" in exc.value.errors


def test_unknown_type_code_names_the_field_and_the_code(create):
    """DESIGN.md API: errors name the field; the message is Chinese by default."""
    with pytest.raises(ValidationFailed) as exc:
        create(type_code="MEM-99.9")
    message = field_errors(exc)["type_code"]
    assert "MEM-99.9" in message and "未知" in message


def test_number_that_is_another_persons_id_number_is_rejected(create, db):
    """RULES.md 1: new-style MEM numbers carry the holder's ID number; someone else's ID
    number means the certificate was typed against the wrong person."""
    other = PersonFactory()
    with pytest.raises(ValidationFailed) as exc:
        create(number=other.full_id_number())
    assert "number" in exc.value.errors


@pytest.mark.parametrize("prefix", ["", "T", "t"])
def test_own_id_number_is_accepted_with_or_without_t(create, person, prefix):
    """RULES.md 1: compare with the ID number after stripping a leading T."""
    cert = create(number=prefix + person.full_id_number().lower())
    assert full_number(cert) == (prefix.upper() + person.full_id_number())


def test_id_bearing_number_is_stored_masked_and_found_by_hash(create, person):
    """个人信息保护法: a new-style number is the holder's ID number; stored in clear it would
    undo the ID number's encryption. It is stored masked, unique through a keyed hash."""
    cert = create(number="T" + person.full_id_number())
    raw = Certificate.objects.filter(pk=cert.pk).values_list("number", flat=True).get()
    assert raw == "T" + person.id_number_masked
    assert person.full_id_number() not in raw
    assert cert.number_is_id_number
    with pytest.raises(Conflict):
        create(number=person.full_id_number())  # same certificate without the T prefix


def test_masked_number_as_shown_stands_for_the_holders_id(create, person):
    cert = create(number=person.id_number_masked)
    assert full_number(cert) == person.full_id_number()


def test_masked_number_of_someone_else_is_refused(create, person):
    with pytest.raises(ValidationFailed) as exc:
        create(number="110101********0000")
    assert "number" in exc.value.errors


def test_full_width_number_is_stored_in_ascii(create, person):
    """Numbers typed with a Chinese input method arrive in full-width characters."""
    full_width = "Ｔ" + person.full_id_number().translate(
        str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    )
    assert full_number(create(number=full_width)) == "T" + person.full_id_number()


def test_legacy_eighteen_digit_number_that_is_no_id_number_is_accepted(create):
    """RULES.md 1: accept legacy formats; an 18-digit number whose check digit is not an
    ID check digit is an old certificate number, not somebody's ID number."""
    legacy = "201334010100123456"
    assert create(number=legacy).number == legacy


def test_duplicate_number_of_the_same_type_is_a_conflict(create, person):
    create()
    with pytest.raises(Conflict) as exc:
        create()
    assert "number" in exc.value.errors
    assert Certificate.objects.count() == 1 and len(audit_entries()) == 1
    assert create(type_code="MEM-1.2").type.code == "MEM-1.2"  # another item: fine


def test_future_first_issue_date_is_rejected(create, today):
    with pytest.raises(ValidationFailed) as exc:
        create(first_issued_on=date(2026, 7, 1), valid_from=date(2026, 7, 1))
    assert "first_issued_on" in exc.value.errors


def test_missing_dates_and_texts_name_their_fields(create):
    with pytest.raises(ValidationFailed) as exc:
        create(number=" ", issued_by="", valid_from=None)
    assert {"number", "issued_by", "valid_from"} <= set(exc.value.errors)


# --- update ---------------------------------------------------------------------------


def test_update_records_before_and_after(create, manager):
    cert = create()
    svc.certificate_update(actor=manager, certificate=cert, issued_by="上海市应急管理局")
    entry = audit_entries(cert)[-1]
    assert entry.action == "update"
    assert entry.changes == {
        "issued_by": {"before": "北京市应急管理局", "after": "上海市应急管理局"}
    }


def test_update_without_change_writes_no_audit_entry(create, manager):
    cert = create()
    svc.certificate_update(actor=manager, certificate=cert, issued_by="北京市应急管理局")
    assert len(audit_entries()) == 1


def test_failed_update_changes_nothing(create, manager):
    cert = create()
    create(number="OTHER-1")
    with pytest.raises(Conflict):
        svc.certificate_update(actor=manager, certificate=cert, number="OTHER-1")
    cert.refresh_from_db()
    assert cert.number == "LEGACY-0001" and len(audit_entries()) == 2


# --- manual states --------------------------------------------------------------------


def test_renew_marks_renewing_and_takes_it_off_the_job(create, manager, today):
    """DESIGN.md: a renewing (换证中) certificate does not qualify."""
    cert = create()
    svc.certificate_renew(actor=manager, certificate=cert)
    cert.refresh_from_db()
    assert status_of(cert, today) == Status.RENEWING
    entry = audit_entries(cert)[-1]
    assert entry.action == "renewal_start"
    assert entry.changes["manual_state"] == {"before": "none", "after": "renewing"}


def test_renew_twice_is_one_change(create, manager):
    cert = create()
    svc.certificate_renew(actor=manager, certificate=cert)
    svc.certificate_renew(actor=manager, certificate=cert)
    assert len(audit_entries(cert)) == 2  # create + renewal_start


@pytest.mark.parametrize("service", [svc.certificate_suspend, svc.certificate_revoke])
def test_suspend_and_revoke_need_a_reason(create, manager, service):
    """第三十条/第三十一条: revocation and cancellation are manual states with a reason."""
    cert = create()
    with pytest.raises(ValidationFailed) as exc:
        service(actor=manager, certificate=cert, reason="  ")
    assert "reason" in exc.value.errors
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.NONE and len(audit_entries()) == 1


def test_suspension_can_be_lifted(create, manager):
    cert = create()
    svc.certificate_suspend(actor=manager, certificate=cert, reason="违章作业")
    assert cert.manual_reason == "违章作业"
    svc.certificate_reinstate(actor=manager, certificate=cert)
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.NONE
    assert [e.action for e in audit_entries(cert)] == ["create", "suspend", "reinstate"]


def test_revocation_is_final(create, manager):
    """第三十条 撤销: a revoked certificate cannot be reinstated, renewed or suspended."""
    cert = create()
    svc.certificate_revoke(actor=manager, certificate=cert, reason="考试作弊", kind="revoked")
    for service, kwargs in [
        (svc.certificate_reinstate, {}),
        (svc.certificate_renew, {}),
        (svc.certificate_suspend, {"reason": "x"}),
    ]:
        with pytest.raises(ValidationFailed):
            service(actor=manager, certificate=cert, **kwargs)
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.REVOKED
    assert [e.action for e in audit_entries(cert)] == ["create", "revoke"]


def test_unknown_revocation_kind_is_rejected(create, manager):
    cert = create()
    with pytest.raises(ValidationFailed) as exc:
        svc.certificate_revoke(actor=manager, certificate=cert, reason="x", kind="lost")
    assert "kind" in exc.value.errors


# --- reviews (复审) ---------------------------------------------------------------------


def test_review_moves_the_due_date_by_three_years(create, manager):
    """第二十一条: review every 3 years; a review moves the next one 3 years on."""
    cert = create(
        valid_from=date(2023, 1, 10),
        first_issued_on=date(2023, 1, 10),
        valid_until=date(2029, 1, 9),
        next_review_due=date(2024, 1, 10),
    )
    svc.certificate_record_review(actor=manager, certificate=cert, reviewed_on=date(2024, 1, 5))
    cert.refresh_from_db()
    assert cert.next_review_due == date(2027, 1, 10)


def test_review_never_moves_the_due_date_past_the_end_of_validity(create, manager):
    """第二十四条: at the end of validity a new certificate is needed, not a review."""
    cert = create()  # valid 2022-03-01 .. 2028-02-29, review due 2025-03-01
    svc.certificate_record_review(actor=manager, certificate=cert, reviewed_on=date(2025, 2, 10))
    cert.refresh_from_db()
    assert cert.next_review_due is None  # 2028-03-01 would be after 2028-02-29


def test_review_writes_before_and_after(create, manager):
    cert = create(
        valid_from=date(2023, 1, 10),
        first_issued_on=date(2023, 1, 10),
        valid_until=date(2029, 1, 9),
        next_review_due=date(2024, 1, 10),
    )
    review = svc.certificate_record_review(
        actor=manager, certificate=cert, reviewed_on=date(2024, 1, 5), authority="北京市应急管理局"
    )
    assert (review.previous_due, review.next_due) == (date(2024, 1, 10), date(2027, 1, 10))
    entry = audit_entries(cert)[-1]
    assert entry.action == "review"
    assert entry.changes["next_review_due"] == {"before": "2024-01-10", "after": "2027-01-10"}
    assert entry.changes["reviewed_on"]["after"] == "2024-01-05"


def test_extended_review_interval_is_six_years(create, manager):
    """第二十一条: 10+ years without violations: the review interval may be 6 years."""
    cert = create(
        valid_from=date(2023, 1, 10),
        first_issued_on=date(2010, 1, 10),
        valid_until=date(2029, 1, 9),
        next_review_due=date(2024, 1, 10),
        review_extended=True,
        review_extended_by="张主任",
    )
    svc.certificate_record_review(actor=manager, certificate=cert, reviewed_on=date(2024, 1, 5))
    cert.refresh_from_db()
    assert cert.next_review_due is None  # 2030 is past the end of validity: never beyond it


def test_review_after_the_last_cycle_never_puts_the_due_date_in_the_past(create, manager):
    """Once the last review of the validity is done there is no due date left; another
    review recorded then must not restart the cycle at valid_from + 3 years (a date long
    past, which would show a valid certificate as review overdue)."""
    cert = create(
        valid_from=date(2020, 3, 1), first_issued_on=date(2020, 3, 1), valid_until=date(2026, 2, 28)
    )
    for reviewed_on in (date(2023, 2, 10), date(2024, 5, 1)):
        svc.certificate_record_review(actor=manager, certificate=cert, reviewed_on=reviewed_on)
        cert.refresh_from_db()
        assert cert.next_review_due is None


def test_review_in_the_future_or_after_expiry_is_refused(create, manager, today):
    cert = create()
    with pytest.raises(ValidationFailed) as exc:
        svc.certificate_record_review(actor=manager, certificate=cert, reviewed_on=date(2026, 6, 2))
    assert "reviewed_on" in exc.value.errors
    old = create(
        number="OLD-1",
        valid_from=date(2019, 3, 1),
        first_issued_on=date(2019, 3, 1),
        valid_until=date(2025, 2, 28),
    )
    with pytest.raises(ValidationFailed):
        svc.certificate_record_review(actor=manager, certificate=old, reviewed_on=date(2025, 3, 1))
    assert not old.reviews.exists() and len(audit_entries()) == 2


# --- replacement (第二十四条) ------------------------------------------------------------


def test_replace_keeps_the_old_one_in_history_and_links_the_new(create, manager, person):
    old = create(number=person.full_id_number())
    new = svc.certificate_replace(
        actor=manager,
        certificate=old,
        number="T" + person.full_id_number(),
        valid_from=date(2026, 2, 1),
        valid_until=date(2032, 1, 31),
    )
    old.refresh_from_db()
    assert old.superseded and new.replaces_id == old.pk and old.replaced_by == new
    assert new.type == old.type and new.issued_by == old.issued_by
    assert new.next_review_due == date(2029, 2, 1)
    actions = [(e.action, e.object_id) for e in audit_entries()[1:]]
    assert actions == [("create", str(new.pk)), ("replace", str(old.pk))]
    assert audit_entries(old)[-1].changes["superseded"] == {"before": False, "after": True}


def test_same_new_style_number_is_allowed_for_the_replacement(create, manager, person):
    """New-style numbers are the holder's ID number: the renewed certificate has the same
    number as the one it replaces."""
    old = create(number=person.full_id_number())
    new = svc.certificate_replace(
        actor=manager,
        certificate=old,
        number=person.full_id_number(),
        valid_from=date(2026, 2, 1),
        valid_until=date(2032, 1, 31),
    )
    assert new.number == old.number


def test_failed_replacement_leaves_the_old_certificate_untouched(create, manager):
    """A bad request never leaves a partial write (issue 2, API)."""
    old = create()
    with pytest.raises(ValidationFailed):
        svc.certificate_replace(
            actor=manager,
            certificate=old,
            number="NEW-1",
            valid_from=date(2026, 2, 1),
            valid_until=date(2040, 1, 1),
        )
    old.refresh_from_db()
    assert not old.superseded and Certificate.objects.count() == 1
    assert len(audit_entries()) == 1


def test_replaced_certificate_cannot_be_replaced_or_marked_again(create, manager):
    old = create()
    svc.certificate_replace(
        actor=manager,
        certificate=old,
        number="NEW-1",
        valid_from=date(2026, 2, 1),
        valid_until=date(2032, 1, 31),
    )
    old.refresh_from_db()
    with pytest.raises(ValidationFailed):
        svc.certificate_replace(
            actor=manager,
            certificate=old,
            number="NEW-2",
            valid_from=date(2026, 2, 1),
            valid_until=date(2032, 1, 31),
        )
    with pytest.raises(ValidationFailed):
        svc.certificate_renew(actor=manager, certificate=old)
    with pytest.raises(ValidationFailed):
        svc.certificate_update(actor=manager, certificate=old, valid_until=date(2028, 2, 1))


# --- who may -------------------------------------------------------------------------


def test_read_only_and_out_of_scope_actors_change_nothing(create, person, db, django_user_model):
    from safework.core.actors import Actor
    from safework.core.choices import Role
    from tests.conftest import make_user
    from tests.factories import OrganizationFactory

    cert = create()
    viewer = Actor(user=make_user(django_user_model, "viewer", Role.VIEWER))
    outsider = Actor(
        user=make_user(
            django_user_model,
            "other-admin",
            Role.CONTRACTOR_ADMIN,
            organization=OrganizationFactory(),
        )
    )
    for actor in (viewer, outsider):
        with pytest.raises(NotAllowed):
            svc.certificate_renew(actor=actor, certificate=cert)
        with pytest.raises(NotAllowed):
            svc.certificate_update(actor=actor, certificate=cert, number="X-1")
        with pytest.raises(NotAllowed):
            svc.certificate_create(actor=actor, person=person, **{**MEM, "number": "X-2"})
    cert.refresh_from_db()
    assert cert.manual_state == ManualState.NONE and cert.number == "LEGACY-0001"
    assert len(audit_entries()) == 1


def test_revoked_certificate_of_another_org_reveals_nothing(create, db, django_user_model):
    """Scope is checked before state: an outsider gets "not allowed", never a message that
    tells them the certificate is revoked."""
    from safework.core.actors import Actor
    from safework.core.choices import Role
    from tests.conftest import make_user
    from tests.factories import OrganizationFactory

    cert = CertificateFactory(manual_state=ManualState.REVOKED)
    outsider = Actor(
        user=make_user(
            django_user_model,
            "other-admin",
            Role.CONTRACTOR_ADMIN,
            organization=OrganizationFactory(),
        )
    )
    with pytest.raises(NotAllowed):
        svc.certificate_reinstate(actor=outsider, certificate=cert)


def test_default_review_due_helper():
    """第二十一条 as a pure helper: valid_from + 3 years (29 Feb -> 28 Feb), none for SAMR
    or when it would fall at or after the end of validity."""
    mem = CertificateType(review_interval_years=3)
    samr = CertificateType(review_interval_years=None)
    leap = date(2024, 2, 29)
    assert svc.default_review_due(mem, leap, date(2030, 2, 27)) == date(2027, 2, 28)
    assert svc.default_review_due(mem, leap, date(2030, 2, 27), extended=True) is None
    assert svc.default_review_due(samr, leap, date(2028, 2, 28)) is None
