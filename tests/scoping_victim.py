"""The victim organization of the scoping walk (issue 6): a contractor that owns a real
object of every kind a page, export or API endpoint names by id, each carrying a marker
that must never reach a contractor admin of another organization."""

import io
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image

from safework.access.models import Gate
from safework.access.services import authorization_create, badge_ensure
from safework.alerts.choices import Channel
from safework.alerts.models import InboxItem, Notification
from safework.alerts.services import channel_save
from safework.certificates.ledger.services import ledger_preview
from safework.certificates.models import CertificateScan, CertificateVerification
from safework.contractors import services as contractors
from safework.contractors.choices import DocumentKind, QuestionKind
from safework.contractors.models import ContractorWorker
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.dashboard.models import PeriodReport, ReportSubscription
from safework.dashboard.services import selfcheck_run
from safework.evidence.choices import PackState, SegmentState
from safework.evidence.models import EvidencePack, Keyframe, Segment
from safework.evidence.storage import keyframe_name, pack_name, save_bytes, segment_name
from safework.permits import services as permits
from safework.permits.choices import ActivityKind, Kind, WorkerRole
from safework.permits.models import Geofence, GuardianTraining, Permit
from safework.permits.services import simops
from tests.certificates.ledger.conftest import ledger as ledger_file
from tests.certificates.ledger.conftest import row
from tests.conftest import make_user
from tests.contractors.conftest import png
from tests.evidence.factories import CameraFactory
from tests.evidence.helpers import HOT_SPECIAL
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    WorkAreaFactory,
)
from tests.permits.conftest import LAT, LNG
from tests.permits.helpers import prepare

# Every one of these is the victim's own (or about the victim only): none may be shown.
# Left out on purpose, the owner's side that every contractor admin sees by design
# (core.access.sites_visible: they assign their workers to sites): the site, work area
# and gate names ("受害厂区", "受害区域", the gate "受害者北门" is listed on /access/,
# /access/areas/<pk>/, /access/events/ and /api/v1/gate/gates).
MARKERS = (
    "受害者甲",  # the worker
    "13566667777",  # their phone
    "VICTIM-0001",  # their certificate
    "受害者承包商有限公司",  # the organization
    "021-66668888",  # its phone
    "受害者负责人",  # the permit's person in charge (victim staff)
    "受害者监护",  # the permit's guardian (victim staff)
    "受害者储罐检修",  # the permit's work content
    "受害者T-901人孔",  # the permit's place
    "受害者盲板隔离",  # a JSA step
    "受害者分析员",  # the gas test's analyst
    "受害者安全承诺书",  # the worker's document
    "受害厂区交底课程",  # the briefing course of the victim's site
    "受害者摄像头",  # the camera at the victim's work area
    "受害者授权备注",  # the area authorization
    "受害者到期提醒",  # a message to the victim (outbox)
    "受害者站内提醒",  # an inbox item of the victim's admin
    "victim-wecom-key",  # the victim's channel secret
    "受害者台账.xlsx",  # a ledger import of the victim
    "受害者丙",  # a person in that ledger
    "受害者核验备注",  # a certificate verification
    "受害者排空作业",  # a registered SIMOPS activity
    "victim-reports@example.com",  # a report subscription of the victim's site
)
# The content of every stored file of the victim (photo, scan, keyframe, video, package,
# ledger upload, report PDF): a download that carries it is a leak.
FILE_MARKER = b"VICTIM-FILE-0b9f"


def _jpeg() -> bytes:
    """A real JPEG (the badge card and the pages decode it) carrying the file marker."""
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (90, 120, 200)).save(out, "JPEG", comment=FILE_MARKER)
    return out.getvalue()


def build_victim() -> dict:
    """Every object, created through the services where a service exists."""
    now = timezone.now()
    manager = Actor(user=make_user(get_user_model(), "victim-manager", Role.SAFETY_MANAGER))
    org = OrganizationFactory(
        name="受害者承包商有限公司", kind=OrganizationKind.CONTRACTOR, contact_phone="021-66668888"
    )
    site = SiteFactory(name="受害厂区", code="victim-site")
    area = WorkAreaFactory(site=site, name="受害区域", code="victim-area")
    Geofence.objects.create(work_area=area, latitude=LAT, longitude=LNG, radius_m=150)
    person = PersonFactory(
        name="受害者甲",
        organization=org,
        phone="13566667777",
        special_operations=["MEM-2.1"],
        sites=[site],
    )
    person.photo = save_bytes("photos/victim.jpg", _jpeg())
    person.save(update_fields=["photo"])
    cert = CertificateFactory(
        person=person, number="VICTIM-0001", valid_until=date.today() + timedelta(days=10)
    )
    leader = PersonFactory(name="受害者负责人", organization=org, sites=[site])
    guardian = PersonFactory(name="受害者监护", organization=org, sites=[site])
    GuardianTraining.objects.create(
        person=guardian, issued_by="安全培训中心", valid_from=date.today() - timedelta(days=30),
        valid_until=date.today() + timedelta(days=300),
    )  # fmt: skip
    victim_admin = make_user(get_user_model(), "victim-admin", Role.CONTRACTOR_ADMIN, org)

    # A hot-work permit performed by the victim, the victim worker on it, submitted (its
    # approval pending), with a measure row, a JSA and a gas test.
    start = now + timedelta(hours=1)
    permit = permits.permit_create(
        actor=manager, work_area=area, kind=Kind.HOT_WORK, now=now,
        applicant_org=site.owner, performing_org=org, person_in_charge=leader,
        content="受害者储罐检修", place="受害者T-901人孔", hazards="可燃气体", details=HOT_SPECIAL,
        planned_start=start, planned_end=start + timedelta(hours=4),
    )  # fmt: skip
    people = {"victim": person, "guardian": guardian}
    permit = prepare(manager, permit, people, [(WorkerRole.HOT_WORKER, "victim")], now)
    # The JSA as prepare() saved and signed it, its step renamed to carry a marker.
    permit.jsa.steps = [{"step": "受害者盲板隔离", "hazards": "泄漏", "measures": "加盲板"}]
    permit.jsa.save(update_fields=["steps"])
    permit = permits.permit_submit(actor=manager, permit=permit, now=now)
    permits.gas_test_record(
        actor=manager, permit=permit, sampled_at=now - timedelta(minutes=5),
        sample_point="T-901 人孔", analyst="受害者分析员", instrument="MX6-01", gas_name="甲烷",
        now=now, lel_percent=5, result_percent="0.1", oxygen_percent="20.5",
    )  # fmt: skip
    permit = Permit.objects.get(pk=permit.pk)

    # The contractor side: the worker record, a document and an admission to the site.
    worker = ContractorWorker.objects.get(person=person)
    document = contractors.document_upload(
        actor=manager, worker=worker, kind=DocumentKind.RESPONSIBILITY_LETTER,
        upload=png("受害者安全承诺书.png"), name="受害者安全承诺书",
    )  # fmt: skip
    admission = worker.admissions.filter(site=site).first() or contractors.worker_assign_site(
        actor=manager, worker=worker, site=site
    )

    # A briefing course of the victim's site and the victim worker's quiz result.
    course = contractors.course_save(
        actor=manager, title="受害厂区交底课程", category="动火作业", site=site,
        worker_kind="", text="动火前必须办理作业票。", allow_skip=True, pass_mark=50,
        questions_per_quiz=1, max_attempts=3, retrain_months=12, required=False,
    )  # fmt: skip
    question = contractors.question_save(
        actor=manager,
        course=course,
        kind=QuestionKind.TRUE_FALSE,
        text="动火要办票",
        choices=[("", True)],
    )
    course = contractors.course_publish(actor=manager, course=course, published=True)
    attempt = contractors.quiz_start(person=person, course=course)
    attempt = contractors.quiz_submit(attempt=attempt, answers={question.pk: []})

    # Evidence: a camera at the victim's area, a keyframe, a segment and a report package
    # of the victim's permit.
    camera = CameraFactory(work_area=area, name="受害者摄像头")
    keyframe = Keyframe.objects.create(
        permit=permit, camera=camera, taken_at=now, sha256="0" * 64, size=len(FILE_MARKER),
        file=save_bytes(keyframe_name(permit.pk, camera.pk, now), _jpeg()),
    )  # fmt: skip
    segment = Segment.objects.create(
        permit=permit, camera=camera, started_at=now, ended_at=now, state=SegmentState.DONE,
        file=save_bytes(segment_name(permit.pk, camera.pk, now), FILE_MARKER),
        sha256="0" * 64, size=len(FILE_MARKER),
    )  # fmt: skip
    pack = EvidencePack.objects.create(
        permit=permit, state=PackState.READY, progress=100, sha256="0" * 64,
        file=save_bytes(pack_name(permit.number, 0), FILE_MARKER), size=len(FILE_MARKER),
    )  # fmt: skip

    # Gate access: the victim's badge, the gate of their area, their organization's
    # authorization for it.
    badge = badge_ensure(actor=manager, person=person)
    gate = Gate.objects.create(code="victim-gate", name="受害者北门", area=area)
    authorization = authorization_create(
        actor=manager, area=area, organization=org, note="受害者授权备注"
    )

    # Messages: one to the victim (outbox), one in the victim admin's inbox.
    notification = Notification.objects.create(
        about_organization=org, person=person, channel="sms", recipient="13566667777",
        subject="受害者到期提醒", body="受害者甲 的证书 VICTIM-0001 即将到期",
        next_attempt_at=now,
    )  # fmt: skip
    InboxItem.objects.create(user=victim_admin, title="受害者站内提醒", body="受害者甲")

    # The victim's own alert channel (its settings hold a webhook key).
    channel = channel_save(
        actor=Actor.system("test"), channel=Channel.WECOM, organization=org,
        values={"webhook_url": "http://127.0.0.1:9/wecom?key=victim-wecom-key"},
    )  # fmt: skip

    # Certificates: a ledger import of the victim, a scan and a verification of their
    # certificate.
    ledger = ledger_preview(
        actor=Actor(user=victim_admin), file_name="受害者台账.xlsx",
        data=ledger_file(row(1, org=org.name, 姓名="受害者丙"), row(2, 姓名="受害者丙", 身份证号码="x")),
    )  # fmt: skip
    scan = CertificateScan.objects.create(
        certificate=cert,
        file=save_bytes("scans/victim.jpg", _jpeg()),
        sha256="0" * 64,
        actor="victim-admin",
    )
    verification = CertificateVerification.objects.create(
        certificate=cert, method=CertificateVerification.Method.MANUAL, source="人工",
        checked_at=now, actor="victim-admin", result=CertificateVerification.Result.MISMATCH,
        note="受害者核验备注", follow_up=True,
    )  # fmt: skip

    # SIMOPS: an activity of the victim on their site.
    activity = simops.activity_register(
        actor=manager, site=site, kind=ActivityKind.VENTING, description="受害者排空作业",
        organization=org, starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1), x_m=900.0, y_m=900.0,
    )  # fmt: skip

    # The site's self-check run and period report, and a report subscription.
    selfcheck = selfcheck_run(actor=manager, month=date.today().replace(day=1), site=site)
    report = PeriodReport.objects.create(
        site=site, period="monthly", start=date.today().replace(day=1), end=date.today(),
        pdf=b"%PDF-1.4 " + FILE_MARKER, sha256="0" * 64, created_at=now,
    )  # fmt: skip
    subscription = ReportSubscription.objects.create(
        site=site, period="monthly", email="victim-reports@example.com"
    )

    return {
        "manager": manager.user,
        "organization": org,
        "person": person,
        "certificate": cert,
        "site": site,
        "area": area,
        "permit": permit,
        "approval": permit.approval,
        "measure": permit.measures.first(),
        "assignment": permit.assignments.get(person=person),
        "worker": worker,
        "document": document,
        "admission": admission,
        "course": course,
        "question": question,
        "attempt": attempt,
        "camera": camera,
        "keyframe": keyframe,
        "segment": segment,
        "pack": pack,
        "badge": badge,
        "gate": gate,
        "authorization": authorization,
        "notification": notification,
        "channel": channel,
        "ledger_import": ledger,
        "scan": scan,
        "verification": verification,
        "activity": activity,
        "selfcheck": selfcheck,
        "report": report,
        "subscription": subscription,
    }
