"""Issue 6: object-level scoping, proven by walking EVERY page, export and API endpoint as
a contractor admin (and as an organization-restricted API token, and as a worker signed in
on the phone) of another organization: each answer is 403/404 (or a redirect), or shows
none of the other organization's data; and no POST/PATCH changes anything of theirs.
Each id in a path names a real object of that type owned by the victim organization
(tests/scoping_victim.py), which its own safety manager does find."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role, TokenScope
from safework.core.models import ApiToken
from tests.conftest import make_user
from tests.factories import OrganizationFactory, PersonFactory
from tests.scoping_victim import FILE_MARKER, MARKERS, build_victim

PASSWORD = "Pw-for-tests-123"
SKIP_PREFIXES = ("admin/", "static/", "media/", "i18n/")


def _walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p, route)
        elif isinstance(p, URLPattern):
            yield route


def _routes():
    routes = []
    for route in _walk():
        route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
        if route.startswith(SKIP_PREFIXES):
            continue
        routes.append(route)
    return sorted(set(routes))


# Which of the victim's objects a path parameter names, by the route's prefix (first
# match wins) and, for the rows of a permit, the parameter's name. "owner_config" is the
# owner's configuration (push endpoints, approval chains, audit anchors, admission
# checklists, kiosk links, verification sources): no organization's data, and refused to
# a contractor admin whatever the id; those routes get the victim person's id.
ROUTE_KINDS = (
    ("access/endpoints/", "owner_config"),
    ("approvals/chains/", "owner_config"),
    ("audit/anchors/", "owner_config"),
    ("contractors/checklists/", "owner_config"),
    ("permits/board-links/", "owner_config"),
    ("access/areas/", "area"),
    ("access/authorizations/", "authorization"),
    ("access/badges/", "person"),  # a badge is reissued, revoked, printed by its person
    ("access/gates/", "gate"),
    ("access/photos/", "person"),
    ("alerts/channels/", "channel"),
    ("alerts/", "notification"),
    ("api/v1/access/authorizations/", "authorization"),
    ("api/v1/approvals/", "approval"),
    ("api/v1/cameras/", "camera"),
    ("api/v1/contractors/admissions/", "admission"),
    ("api/v1/contractors/workers/", "worker"),
    ("api/v1/gate/photos/", "person"),
    ("api/v1/imports/ledger/", "ledger_import"),
    ("api/v1/permits/", "permit"),
    ("api/v1/simops/activities/", "activity"),
    ("approvals/<", "approval"),
    ("brief/courses/", "course"),
    ("brief/results/", "attempt"),
    ("certificates/imports/", "ledger_import"),
    ("certificates/photos/", "scan"),
    ("certificates/verification/sources/", "owner_config"),
    ("certificates/verification/<", "verification"),
    ("contractors/admissions/", "admission"),
    ("contractors/courses/", "course"),
    ("contractors/documents/", "document"),
    ("contractors/questions/", "question"),
    ("contractors/workers/import/", "ledger_import"),
    ("contractors/workers/", "worker"),
    ("dashboard/contractors/", "organization"),
    ("dashboard/reports/recipients/", "subscription"),
    ("dashboard/reports/", "report"),
    ("dashboard/selfcheck/", "selfcheck"),
    ("evidence/cameras/", "camera"),
    ("evidence/keyframes/", "keyframe"),
    ("evidence/packs/", "pack"),
    ("evidence/permits/", "permit"),
    ("evidence/segments/", "segment"),
    ("permits/activities/", "activity"),
    ("permits/<", "permit"),
)
# Path parameters that are not ids: a real value, so the view gets past its own 404.
WORDS = {
    ("permits/<int:pk>/do/", "name"): "cancel",
    ("permits/new/", "kind"): "hot_work",
    ("alerts/channels/new/", "channel"): "wecom",
    ("dashboard/list/", "name"): "workers",
    ("audit/object/", "object_type"): "people.person",
}


def _kind(route: str, name: str) -> str:
    """Which object a path parameter names, from its place in the path."""
    if route.startswith("permits/<") and name == "row":
        return "measure" if "/measures/" in route else "assignment"
    if name == "person_pk" or route.startswith(("people/", "api/v1/persons")):
        return "person"
    if name == "area_pk":
        return "area"
    if name == "site_pk":
        return "site"
    for prefix, kind in ROUTE_KINDS:
        if route.startswith(prefix):
            return kind
    if route.startswith(("certificates/", "api/v1/certificates")):
        return "certificate"
    if "organizations" in route:
        return "organization"
    if "work-areas" in route or "work_areas" in route:
        return "area"
    if "sites" in route:
        return "site"
    if route.startswith("audit/object"):
        return "person"
    return "unknown"


def _fill(route: str, victim: dict) -> str:
    def sub(match):
        name = match.group("name")
        for (prefix, word_name), word in WORDS.items():
            if route.startswith(prefix) and name == word_name:
                return word
        if name == "token":  # a signed capability link (kiosk, badge, phone sign-in)
            return "not-a-token"
        return str(victim.get(_kind(route, name), victim["person"]).pk)

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", sub, route)
    path = re.sub(r"\{(?P<name>\w+)\}", sub, path)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", sub, path)
    return "/" + path


@pytest.fixture
def victim(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALERTS_DELIVER_ON_COMMIT = False
    return build_victim()


@pytest.fixture
def outsider_client(client, django_user_model, victim):
    mine = OrganizationFactory(name="别家承包商", kind=OrganizationKind.CONTRACTOR)
    PersonFactory(name="自家工人", organization=mine)
    make_user(django_user_model, "outsider", Role.CONTRACTOR_ADMIN, organization=mine)
    client.login(username="outsider", password=PASSWORD)
    return client


@pytest.fixture
def outsider_token(victim):
    from safework.core.tokens import token_create

    mine = OrganizationFactory(name="别家承包商B", kind=OrganizationKind.CONTRACTOR)
    _token, raw = token_create(
        actor=Actor.system("test"), name="outsider", scope=TokenScope.WRITE, organization=mine
    )
    return raw


def _snapshot(victim):
    """Every field of every object of the victim, read again from the database."""
    return {
        kind: type(obj).objects.filter(pk=obj.pk).values().first() for kind, obj in victim.items()
    }


def _body(resp) -> bytes:
    # The test client closes a streamed response once it is read to the end.
    if getattr(resp, "streaming", False):
        return b"".join(resp.streaming_content)
    return resp.content


def _leaked(resp) -> list[str]:
    if resp.status_code not in (200, 201):
        return []
    body = _body(resp)
    text = body.decode("utf-8", "replace")
    return [m for m in MARKERS if m in text] + (["<file>"] if FILE_MARKER in body else [])


def _check_get(resp, path):
    assert resp.status_code in (200, 301, 302, 401, 403, 404, 405, 422), (path, resp.status_code)
    leaked = _leaked(resp)
    assert not leaked, (path, leaked)


# A form field naming one of the victim's objects, on every POST of the walk.
def _form(victim: dict) -> dict:
    return {
        "reason": "x",
        "name": "改名",
        "worker": victim["worker"].pk,
        "person": victim["person"].pk,
        "organization": victim["organization"].pk,
        "ids": victim["notification"].pk,
    }


def test_every_page_and_endpoint_as_another_contractor_admin(outsider_client, victim):
    before = _snapshot(victim)
    routes = _routes()
    assert len(routes) > 30  # the walk really covers the app
    for route in routes:
        path = _fill(route, victim)
        _check_get(outsider_client.get(path), path)
        for method in ("post", "patch"):
            resp = getattr(outsider_client, method)(
                path,
                data="{}" if method == "patch" else _form(victim),
                **({"content_type": "application/json"} if method == "patch" else {}),
            )
            assert resp.status_code < 500, (method, path, resp.status_code)
            assert not _leaked(resp), (method, path, _leaked(resp))
    assert _snapshot(victim) == before


def test_resetting_attempts_of_an_invisible_worker_is_not_found(outsider_client, victim):
    """Found by the walk: this POST let ContractorWorker.DoesNotExist out (a 500)."""
    path = f"/contractors/courses/{victim['course'].pk}/reset/"
    for worker in (victim["worker"].pk, "", "x"):
        assert outsider_client.post(path, {"worker": worker}).status_code in (403, 404)


def test_the_walk_names_real_objects_of_the_victim(victim):
    """The walk is only as good as its ids: the victim's own safety manager finds each
    object the walk names (every GET route whose ids all name a victim object answers,
    not 404), and sees its markers on the main pages."""
    from django.test import Client

    client = Client()
    client.force_login(victim["manager"])
    nothing_to_serve = {  # the object exists; the file the route serves was never made
        "permits/<int:pk>/jsa/document",
        "certificates/verification/<int:pk>/evidence/",
        "contractors/courses/<int:pk>/video",
        "permits/sites/<int:site_pk>/plan.jpg",
    }
    found = set()
    for route in _routes():
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        kinds = {_kind(route, n) for n in names}
        if not names or not kinds <= set(victim) or route in nothing_to_serve:
            continue
        resp = client.get(_fill(route, victim))
        if resp.status_code == 405:
            continue
        assert resp.status_code != 404, route
        if resp.status_code == 200:
            found |= kinds
            _body(resp)
    # Only POST routes name a question, measure, assignment, admission, subscription,
    # authorization, activity or verification (the snapshot proves those unchanged); a
    # quiz result is the worker's phone page (test_the_phone_pages_...); no route names
    # a badge by its own id.
    assert found == set(victim) - {
        "manager", "question", "measure", "assignment", "admission", "subscription",
        "authorization", "activity", "verification", "attempt", "badge",
    }  # fmt: skip
    for path, marker in [
        (f"/permits/{victim['permit'].pk}/", "受害者甲"),
        (f"/api/v1/permits/{victim['permit'].pk}", "受害者储罐检修"),
        (f"/alerts/{victim['notification'].pk}/", "受害者到期提醒"),
        (f"/evidence/cameras/{victim['camera'].pk}/", "受害者摄像头"),
        (f"/contractors/workers/import/{victim['ledger_import'].pk}/", "受害者台账.xlsx"),
    ]:
        assert marker in client.get(path).content.decode(), path


def test_the_phone_pages_as_a_worker_of_another_organization(client, victim):
    """A worker of another contractor signed in on the phone (briefing and quiz) opens
    the victim's course, its media and the victim's quiz result."""
    from safework.contractors.phone import SESSION_KEY

    other = PersonFactory(
        name="别家工人", organization=OrganizationFactory(kind=OrganizationKind.CONTRACTOR)
    )
    session = client.session
    session[SESSION_KEY] = other.pk
    session.save()
    before = _snapshot(victim)
    brief = [r for r in _routes() if r.startswith("brief/")]
    assert len(brief) >= 8
    for route in brief:
        path = _fill(route, victim)
        _check_get(client.get(path), path)
        resp = client.post(path, {"seconds": 9999, "position": 9999, **_form(victim)})
        assert resp.status_code < 500 and not _leaked(resp), (path, resp.status_code)
    assert _snapshot(victim) == before


def test_every_api_endpoint_with_another_organizations_token(client, outsider_token, victim):
    before = _snapshot(victim)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {outsider_token}"}
    api_routes = [r for r in _routes() if r.startswith("api/")]
    assert len(api_routes) > 10
    for route in api_routes:
        path = _fill(route, victim)
        _check_get(client.get(path, **headers), path)
        for method in ("post", "patch"):
            resp = getattr(client, method)(
                path,
                data=_form(victim),
                content_type="application/json",
                **headers,
            )
            _check_get(resp, f"{method} {path}")
    assert _snapshot(victim) == before
    assert ApiToken.objects.count() == 1


def test_ids_beyond_64_bits_are_not_found(outsider_client):
    """Found by the fuzzer: SQLite cannot bind such an id; the answer is 404/422, not 500."""
    huge = "99999999999999999999999"
    assert outsider_client.get(f"/people/{huge}/").status_code == 404
    assert outsider_client.get(f"/api/v1/persons/{huge}").status_code in (404, 422)
    resp = outsider_client.get(f"/api/v1/persons?site_id={huge}")
    assert resp.status_code == 422 or resp.json()["count"] == 0  # PostgreSQL compares it


def test_every_form_post_needs_the_csrf_token(db, django_user_model, victim):
    """Issue 6: CSRF on every form. A logged-in session POSTing to any page without the
    token is refused (403); only the bearer-token API is exempt, and it is not a session."""
    from django.test import Client

    make_user(django_user_model, "mgr", Role.SAFETY_MANAGER)
    client = Client(enforce_csrf_checks=True)
    client.login(username="mgr", password=PASSWORD)
    before = _snapshot(victim)
    checked = 0
    for route in _routes():
        path = _fill(route, victim)
        resp = client.post(path, {"reason": "x", "name": "改名", "username": "mgr"})
        if resp.status_code == 405:  # the route takes no POST at all
            continue
        assert resp.status_code in (401, 403), (path, resp.status_code)
        checked += 1
    assert checked > 25
    assert _snapshot(victim) == before
