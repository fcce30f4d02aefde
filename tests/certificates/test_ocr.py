"""OCR intake (issue 3) on certificate photos the test renders itself (Pillow, a CJK font,
three layouts, slight rotation, blur and noise): the parser's fields with confidences, the
upload → check → confirm pages, the photo kept with the certificate and shown only to
those who may see it."""

from datetime import date

import pytest
from benchmarks.certificate_images import random_card, render, score
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safework.certificates import ocr
from safework.certificates.ledger.items import ItemMatcher
from safework.certificates.models import Certificate, CertificateScan, CertificateType
from safework.core.choices import Role
from safework.people.models import Person
from tests.conftest import make_user
from tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def matcher():
    return ItemMatcher(CertificateType.objects.filter(is_active=True))


def line(text, y, x=0.0, confidence=0.99):
    return ocr.OcrLine(text=text, confidence=confidence, x=x, y=y, height=30)


def test_parser_reads_labels_in_one_box_or_in_two_columns(matcher):
    lines = [
        line("姓名：张三", 100),
        line("身份证号", 150, x=10),
        line("110101198506150019", 152, x=300),
        line("准操项目：电焊工", 200),
        line("有效期限：2021.03.01至2027.03.01", 250),
        line("应复审日期 2024年3月1日", 300, confidence=0.7),
        line("发证机关：上海市应急管理局", 350),
    ]
    fields = ocr.parse_fields(lines, matcher)
    assert fields["name"].value == "张三"
    assert fields["id_number"] == ocr.Field("110101198506150019", 0.99)
    assert fields["item"].value == "MEM-2.1"
    assert fields["valid_from"].value == date(2021, 3, 1)
    assert fields["valid_until"].value == date(2027, 3, 1)
    assert fields["next_review_due"] == ocr.Field(date(2024, 3, 1), 0.7)
    assert fields["issued_by"].value == "上海市应急管理局"


def test_parser_reads_a_samr_special_equipment_operator_certificate(matcher):
    """特种设备作业人员证 (TSG Z6001-2019) prints 作业项目 and a 项目代号 instead of 准操项目,
    证件号码 for the ID number, and a 市场监督管理局 as the authority. The generated
    photos are all MEM cards, so this layout is checked on the parser."""
    idn = "110101198506150019"
    lines = [
        line("中华人民共和国特种设备作业人员证", 50),
        line("姓    名", 100, x=10),
        line("王强", 101, x=300),
        line("性别 男", 130),
        line(f"证件号码：{idn}", 150),
        line("作业项目：叉车司机", 200),
        line("项目代号：N1", 230),
        line(f"证书编号：{idn}", 260),
        line("发证机关：上海市市场监督管理局", 300),
        line("初次领证日期：2020年5月1日", 350),
        line("有效期至：2028年4月30日", 400),
    ]
    fields = ocr.parse_fields(lines, matcher)
    got = {k: f.value for k, f in fields.items()}
    assert got == {
        "name": "王强",
        "sex": "男",
        "id_number": idn,
        "item": "SAMR-N1",
        "number": idn,
        "issued_by": "上海市市场监督管理局",
        "first_issued_on": date(2020, 5, 1),
        "valid_until": date(2028, 4, 30),
    }


def test_a_wrong_check_digit_lowers_the_confidence(matcher):
    fields = ocr.parse_fields([line("身份证号：110101198506150018", 100)], matcher)
    assert fields["id_number"].value == "110101198506150018"
    assert fields["id_number"].confidence < 0.5


def test_an_unlabelled_id_number_is_found_anywhere(matcher):
    fields = ocr.parse_fields([line("T110101198506150019", 100, confidence=0.98)], matcher)
    assert fields["id_number"].value == "110101198506150019"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_photos_in_each_layout_are_read(matcher, seed):
    card = random_card(seed)
    assert card.layout == seed  # one photo per layout
    result = ocr.recognise(render(card, seed=seed), matcher)
    correct, total = score(card, result["fields"])
    assert correct == total, {k: result["fields"].get(k) for k, v in card.expected().items()}
    assert all(0 < f["confidence"] <= 1 for f in result["fields"].values())


def photo(seed, name="card.jpg"):
    return SimpleUploadedFile(name, render(random_card(seed), seed=seed), "image/jpeg")


@pytest.fixture
def org(db):
    return OrganizationFactory(name="甲建设公司")


def test_upload_check_confirm_registers_the_holder_and_keeps_the_photos(client, manager_user, org):
    client.force_login(manager_user)
    card = random_card(3)
    resp = client.post(
        reverse("certificates:ocr_upload"), {"photos": [photo(3), photo(3, "b.jpg")]}
    )
    assert resp.status_code == 302
    confirm = client.get(resp.url)
    page = confirm.content.decode()
    assert card.name in page and card.issued_by in page
    form = confirm.context["form"]
    assert form.initial["id_number"] == card.id_number
    assert form.initial["type"] == card.item_code
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"organization": org.pk, "scan": [s.pk for s in confirm.context["scans"]]}
    done = client.post(resp.url, data)
    assert done.status_code == 302, done.context["form"].errors
    cert = Certificate.objects.get()
    assert done.url == reverse("certificates:detail", args=[cert.pk])
    assert cert.person.name == card.name and cert.person.organization == org
    assert cert.type.code == card.item_code and cert.valid_until == card.valid_until
    assert CertificateScan.objects.filter(certificate=cert).count() == 2
    detail = client.get(done.url).content.decode()
    scan = CertificateScan.objects.filter(certificate=cert).first()
    assert reverse("certificates:scan", args=[scan.pk]) in detail
    image = client.get(reverse("certificates:scan", args=[scan.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_confirm_for_a_registered_person_keeps_them(client, manager_user, org):
    card = random_card(4)
    person = PersonFactory(name=card.name, id_number=card.id_number, organization=org)
    client.force_login(manager_user)
    resp = client.post(reverse("certificates:ocr_upload"), {"photos": [photo(4)]})
    form = client.get(resp.url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["scan"] = CertificateScan.objects.values_list("pk", flat=True)[0]
    assert client.post(resp.url, data).status_code == 302
    assert Person.objects.count() == 1 and Certificate.objects.get().person == person


def test_corrections_are_checked_by_the_services(client, manager_user, org):
    client.force_login(manager_user)
    resp = client.post(reverse("certificates:ocr_upload"), {"photos": [photo(5)]})
    form = client.get(resp.url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"id_number": "110101198506150018", "organization": org.pk}
    data["scan"] = CertificateScan.objects.values_list("pk", flat=True)[0]
    again = client.post(resp.url, data)
    assert again.status_code == 200
    assert "校验码" in again.content.decode()
    assert not Certificate.objects.exists() and not Person.objects.exists()


def test_not_an_image_is_refused(client, manager_user):
    client.force_login(manager_user)
    bad = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")
    resp = client.post(reverse("certificates:ocr_upload"), {"photos": [bad]})
    assert resp.status_code == 200 and not CertificateScan.objects.exists()


def test_photos_are_private(client, manager_user, django_user_model, org):
    client.force_login(manager_user)
    resp = client.post(reverse("certificates:ocr_upload"), {"photos": [photo(0)]})
    scan = CertificateScan.objects.get()
    other = make_user(django_user_model, "other", Role.CONTRACTOR_ADMIN, organization=org)
    client.force_login(other)
    assert client.get(reverse("certificates:scan", args=[scan.pk])).status_code == 404
    assert client.get(resp.url).status_code == 404  # someone else's pending photos
    viewer = make_user(django_user_model, "viewer", Role.VIEWER)
    client.force_login(viewer)
    assert client.get(reverse("certificates:ocr_upload")).status_code == 403
