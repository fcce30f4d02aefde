import os

os.environ.setdefault("SAFEWORK_ENV", "test")

import pytest  # noqa: E402

from safework.core.actors import Actor  # noqa: E402
from safework.core.choices import Role  # noqa: E402


@pytest.fixture(autouse=True)
def _english_off(settings):
    # Tests see the product as users do: Chinese first.
    settings.LANGUAGE_CODE = "zh-hans"


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
