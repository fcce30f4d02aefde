"""Face photos: uploaded through the safe intake (content sniffing, re-encoding), stored
outside public media, served only to those who may see the person, audited."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from safework.audit.models import AuditEntry
from safework.core.choices import OrganizationKind, Role
from tests.conftest import make_user
from tests.factories import OrganizationFactory, PersonFactory

PASSWORD = "Pw-for-tests-123"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "navy").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def person(db):
    return PersonFactory(organization=OrganizationFactory(kind=OrganizationKind.CONTRACTOR))


def test_upload_replace_and_serve(client, manager_user, person):
    client.login(username="manager", password=PASSWORD)
    url = f"/people/{person.pk}/photo/"
    assert client.get(url).status_code == 404  # none yet
    resp = client.post(url, {"photo": SimpleUploadedFile("me.png", _png())})
    assert resp.status_code == 302
    person.refresh_from_db()
    first = person.photo
    got = client.get(url)
    assert got["Content-Type"] == "image/jpeg" and got["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(got.streaming_content))).format == "JPEG"
    client.post(url, {"photo": SimpleUploadedFile("again.jpg", _png())})
    person.refresh_from_db()
    assert person.photo != first
    assert AuditEntry.objects.filter(action="photo_change", object_id=str(person.pk)).count() == 2


def test_executable_disguised_as_photo_is_refused_in_chinese(client, manager_user, person):
    client.login(username="manager", password=PASSWORD)
    resp = client.post(
        f"/people/{person.pk}/photo/", {"photo": SimpleUploadedFile("me.jpg", b"MZ" + b"\0" * 200)}
    )
    assert resp.status_code == 400
    assert "不接受" in resp.content.decode()
    person.refresh_from_db()
    assert person.photo == ""


def test_other_contractor_cannot_see_or_change_the_photo(
    client, django_user_model, person, manager_user
):
    client.login(username="manager", password=PASSWORD)
    client.post(f"/people/{person.pk}/photo/", {"photo": SimpleUploadedFile("me.png", _png())})
    client.logout()
    make_user(
        django_user_model,
        "other",
        Role.CONTRACTOR_ADMIN,
        organization=OrganizationFactory(kind=OrganizationKind.CONTRACTOR),
    )
    client.login(username="other", password=PASSWORD)
    assert client.get(f"/people/{person.pk}/photo/").status_code == 404
    assert (
        client.post(
            f"/people/{person.pk}/photo/", {"photo": SimpleUploadedFile("x.png", _png())}
        ).status_code
        == 404
    )
