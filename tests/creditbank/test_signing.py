import pytest

from creditbank import signing


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "keys"
    signing._clear_caches()
    yield
    signing._clear_caches()


def test_sign_and_verify():
    token = signing.sign(b"certificate 123")
    assert signing.verify(b"certificate 123", token)
    assert not signing.verify(b"certificate 124", token)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "unknown." + t.split(".", 1)[1],
        lambda t: t.split(".", 1)[0] + ".!!notbase64!!",
        lambda t: "",
        lambda t: t.replace(".", ""),
    ],
)
def test_tampered_signatures_do_not_verify(mangle):
    token = signing.sign(b"message")
    assert not signing.verify(b"message", mangle(token))


def test_old_signatures_verify_after_rotation_even_without_the_private_key():
    old = signing.sign(b"issued last year")
    old_kid = old.split(".")[0]
    new_kid = signing.key_create()
    assert new_kid != old_kid
    assert signing.sign(b"x").startswith(new_kid + ".")
    (signing.keys_dir() / f"{old_kid}.pem").unlink()
    signing._clear_caches()
    assert signing.verify(b"issued last year", old)


def test_signatures_do_not_depend_on_secret_key(settings):
    token = signing.sign(b"m")
    settings.SECRET_KEY = "a-completely-different-secret-key-" + "z" * 30
    assert signing.verify(b"m", token)
