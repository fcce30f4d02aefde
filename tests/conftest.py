import os
import shutil

os.environ.setdefault("SAFEWORK_ENV", "test")

import pytest  # noqa: E402

from safework.core.actors import Actor  # noqa: E402
from safework.core.choices import Role  # noqa: E402


@pytest.fixture(autouse=True)
def _english_off(settings):
    # Tests see the product as users do: Chinese first.
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _no_admission_scope_left_over():
    """The contractors' per-request standing cache ends with request_finished, which the
    test client sends only when a response is closed: a streamed download left open by
    one test must not answer another test's qualification from its cache."""
    from safework.contractors import standing

    standing._scope.set(None)
    yield
    standing._scope.set(None)


@pytest.fixture
def system_actor():
    return Actor.system("test")


def make_user(django_user_model, username, role, organization=None, sites=()):
    from safework.core.models import UserProfile

    user = django_user_model.objects.create_user(username=username, password="Pw-for-tests-123")
    profile = UserProfile.objects.create(user=user, role=role, organization=organization)
    if sites:
        profile.sites.set(sites)
    return user


@pytest.fixture
def manager_user(db, django_user_model):
    return make_user(django_user_model, "manager", Role.SAFETY_MANAGER)


@pytest.fixture
def manager(manager_user):
    return Actor(user=manager_user)


@pytest.fixture(autouse=True)
def _catalogue_survives_flushes(request):
    """Transactional tests (live server, several processes) end by flushing every table,
    the catalogue loaded by the data migration included; put it back before such a test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from safework.certificates.catalogue import load_catalogue
        from safework.certificates.models import CertificateType

        load_catalogue(CertificateType)


# Playwright's sync API runs an event loop in this thread; the Django ORM calls made by
# fixtures in the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SAFEWORK_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """One Playwright per test process: a second sync_playwright() in the same thread
    refuses to start while the first one's event loop runs."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated contents (catalogue, content types,
    default approval chain) by serialized rollback. Mixing both kinds breaks whichever
    runs second in a worker: a plain flush lets post_migrate recreate the content types
    under new ids, and the next serialized test then fails to load its own."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
