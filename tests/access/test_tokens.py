"""Badge tokens: HMAC-signed, key id inside (rotation), version (revoke and reissue).
Forged, altered and unknown-key tokens are refused."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from safework.access import keys, tokens

SECRET = "s" * 50


def ring(raw="k1"):
    return keys.parse(raw, SECRET)


def test_a_signed_token_verifies_to_its_claim():
    token = tokens.sign(ring(), key_id="k1", person_id=123456, version=3)
    assert tokens.verify(ring(), token) == tokens.BadgeClaim("k1", 123456, 3)
    assert token.startswith("b1.k1.")


def test_the_badge_url_a_scanner_reads_verifies_like_the_token():
    token = tokens.sign(ring(), key_id="k1", person_id=7, version=1)
    assert tokens.verify(ring(), f"https://plant.example/v/{token}") is not None
    assert tokens.extract(f"http://x/v/{token}?utm=1") == token


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t.replace(".k1.", ".k1.", 1)[:-1] + ("A" if t[-1] != "A" else "B"),  # MAC
        lambda t: t.replace(".7.", ".8.", 1),  # another person
        lambda t: t.replace(".7.1.", ".7.2.", 1),  # another version
        lambda t: t.replace(".7.", ".07.", 1),  # same number, other text
        lambda t: t + "x",
        lambda t: t[:-2],
    ],
)
def test_an_altered_token_is_refused(alter):
    token = tokens.sign(ring(), key_id="k1", person_id=7, version=1)
    altered = alter(token)
    assert altered != token
    assert tokens.verify(ring(), altered) is None


def test_a_token_signed_with_another_secret_is_forged():
    forged = tokens.sign(
        keys.parse("k1", "another secret key " * 3), key_id="k1", person_id=7, version=1
    )
    assert tokens.verify(ring(), forged) is None


def test_key_rotation_new_key_signs_old_key_still_verifies_until_removed():
    old = tokens.sign(ring("k1"), key_id="k1", person_id=5, version=1)
    rotated = ring("k2,k1")
    assert rotated.signing == "k2"
    assert tokens.verify(rotated, old) == tokens.BadgeClaim("k1", 5, 1)
    new = tokens.sign(rotated, key_id=rotated.signing, person_id=5, version=2)
    assert tokens.verify(rotated, new).key_id == "k2"
    # The old key retired: its badges are no longer authentic.
    assert tokens.verify(ring("k2"), old) is None
    assert tokens.verify(ring("k2"), new) is not None


def test_derived_keys_differ_per_key_id_and_configured_secrets_are_used_as_given():
    derived = ring("k1,k2")
    assert derived.keys["k1"] != derived.keys["k2"]
    configured = ring("k3:" + "z" * 40)
    assert configured.keys["k3"] == b"z" * 40


@pytest.mark.parametrize("raw", ["K1", "k1,k1", "k1:short", "toolongkeyid", "k-1", ","])
def test_bad_key_configuration_fails_loudly(raw):
    with pytest.raises(ImproperlyConfigured):
        keys.parse(raw, SECRET)


def test_the_start_up_check_reports_bad_keys(settings):
    from safework.access.checks import badge_keys

    settings.BADGE_KEYS = "k1:short"
    assert [e.id for e in badge_keys(None)] == ["access.E001"]
    settings.BADGE_KEYS = "k2,k1"
    assert badge_keys(None) == []
