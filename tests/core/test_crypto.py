"""ID numbers are stored encrypted and looked up through a keyed hash (DESIGN.md principle
6, 个人信息保护法); SAFEWORK_FIELD_KEY lists Fernet keys, the first encrypts, all decrypt."""

import pytest
from cryptography.fernet import Fernet, InvalidToken

from safework.core import crypto

ID = "11010519491231002X"


@pytest.fixture
def keys(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    return settings, old, new


def test_round_trip_and_ciphertext_hides_the_number(keys):
    token = crypto.encrypt(ID)
    assert ID not in token
    assert crypto.decrypt(token) == ID


def test_encryption_is_randomised(keys):
    """Two encryptions of one number differ: equal ciphertexts would reveal equal IDs."""
    assert crypto.encrypt(ID) != crypto.encrypt(ID)


def test_rotation_keeps_old_ciphertexts_readable_and_the_index_stable(keys):
    """Key rotation: a new key is put first; old ciphertexts still decrypt and the blind
    index (which guards uniqueness) does not change, so no duplicate can slip in."""
    settings, old, new = keys
    before_token, before_index = crypto.encrypt(ID), crypto.blind_index(ID)
    settings.FIELD_KEYS = [new, old]
    assert crypto.decrypt(before_token) == ID
    assert crypto.blind_index(ID) == before_index
    fresh = crypto.encrypt(ID)
    settings.FIELD_KEYS = [new]
    assert crypto.decrypt(fresh) == ID  # new ciphertexts use the new key
    with pytest.raises(InvalidToken):
        crypto.decrypt(before_token)


def test_blind_index_is_deterministic_and_distinguishes_numbers(keys):
    assert crypto.blind_index(ID) == crypto.blind_index(ID)
    assert crypto.blind_index(ID) != crypto.blind_index("110105194912310037")
    assert len(crypto.blind_index(ID)) == 64


def test_blind_index_is_keyed(keys):
    """A keyed HMAC, not a bare hash: without the key nobody can test guessed numbers
    against the index (the ID space is small enough to enumerate)."""
    import hashlib

    settings, old, new = keys
    index = crypto.blind_index(ID)
    assert index != hashlib.sha256(ID.encode()).hexdigest()
    settings.FIELD_KEYS = [new]
    assert crypto.blind_index(ID) != index
