"""Issue 6: object-level scoping, proven by walking EVERY page, export and API endpoint as
a contractor admin (and as an organization-restricted API token) of another organization:
each answer is 403/404 (or a redirect), or shows none of the other organization's data;
and no POST/PATCH changes anything of theirs."""

import re
from datetime import date, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from safework.certificates.models import Certificate
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role, TokenScope
from safework.core.models import ApiToken
from safework.people.models import Person
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    WorkAreaFactory,
)

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


def _kind(route: str, name: str) -> str:
    """Which object a path parameter names, from its place in the path."""
    if name == "person_pk" or route.startswith(("people/", "api/v1/persons")):
        return "person"
    if route.startswith(("certificates/", "api/v1/certificates")):
        return "certificate"
    if "organizations" in route:
        return "organization"
    if "work-areas" in route or "work_areas" in route:
        return "area"
    if "sites" in route:
        return "site"
    if route.startswith("audit/object"):
        return "audit"
    return "unknown"


def _fill(route: str, victim: dict) -> str:
    def sub(match):
        name = match.group("name")
        kind = _kind(route, name)
        if name == "object_type":
            return "people.person"
        if name == "object_id":
            return str(victim["person"].pk)
        return str(victim.get(kind, victim["person"]).pk)

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", sub, route)
    path = re.sub(r"\{(?P<name>\w+)\}", sub, path)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", sub, path)
    return "/" + path


@pytest.fixture
def victim(db):
    org = OrganizationFactory(
        name="受害者承包商有限公司", kind=OrganizationKind.CONTRACTOR, contact_phone="021-66668888"
    )
    site = SiteFactory()
    person = PersonFactory(
        name="受害者甲",
        organization=org,
        phone="13566667777",
        special_operations=["MEM-2.1"],
        sites=[site],
    )
    cert = CertificateFactory(
        person=person, number="VICTIM-0001", valid_until=date.today() + timedelta(days=10)
    )
    return {
        "organization": org,
        "person": person,
        "certificate": cert,
        "site": site,
        "area": WorkAreaFactory(site=site),
    }


MARKERS = ("受害者甲", "13566667777", "VICTIM-0001", "受害者承包商有限公司", "021-66668888")


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
    p = Person.objects.get(pk=victim["person"].pk)
    c = Certificate.objects.get(pk=victim["certificate"].pk)
    return (
        p.name,
        p.phone,
        p.employment_state,
        p.updated_at,
        c.manual_state,
        c.number,
        c.next_review_due,
        c.superseded,
        c.updated_at,
    )


def _check_get(resp, path):
    assert resp.status_code in (200, 301, 302, 401, 403, 404, 405, 422), (path, resp.status_code)
    if resp.status_code == 200 and not getattr(resp, "streaming", False):
        body = resp.content.decode("utf-8", "replace")
        leaked = [m for m in MARKERS if m in body]
        assert not leaked, (path, leaked)


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
                data="{}" if method == "patch" else {"reason": "x", "name": "改名"},
                **({"content_type": "application/json"} if method == "patch" else {}),
            )
            assert resp.status_code not in (200, 201) or not any(
                m in resp.content.decode("utf-8", "replace") for m in MARKERS
            ), (method, path)
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
                data={"reason": "x", "name": "改名"},
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
