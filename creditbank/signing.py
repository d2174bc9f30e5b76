"""Ed25519 signatures for documents anyone can verify (certificates, transcripts).

Never signed with SECRET_KEY: a leaked or rotated SECRET_KEY must not invalidate or forge
certificates. Each key has a key ID (``kid``). Private keys live as PEM files in
``SIGNING_KEYS_DIR`` (``var/keys`` by default; a mounted secret in production); the newest key
signs. Public keys of every key ever used stay in that directory (``<kid>.pub``) so old
signatures keep verifying after rotation, even once the private key has been destroyed.

A signature travels as ``<kid>.<base64url signature>``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SigningError(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keys_dir() -> Path:
    path = Path(getattr(settings, "SIGNING_KEYS_DIR", settings.VAR_DIR / "keys"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def key_create() -> str:
    """Create a new signing key; it becomes the active one. Returns its key ID."""
    private = Ed25519PrivateKey.generate()
    kid = dt.datetime.now(dt.UTC).strftime("k%Y%m%d%H%M%S%f") + _b64(os.urandom(3))
    directory = keys_dir()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_path = directory / f"{kid}.pem"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    (directory / f"{kid}.pub").write_bytes(public_pem)
    _clear_caches()
    return kid


def _clear_caches():
    _public_keys.cache_clear()
    _active_private_key.cache_clear()


@lru_cache(maxsize=1)
def _public_keys() -> dict[str, Ed25519PublicKey]:
    keys = {}
    for path in sorted(keys_dir().glob("*.pub")):
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            keys[path.stem] = key
    return keys


@lru_cache(maxsize=1)
def _active_private_key() -> tuple[str, Ed25519PrivateKey]:
    candidates = sorted(keys_dir().glob("*.pem"))
    if not candidates:
        kid = key_create()
        candidates = [keys_dir() / f"{kid}.pem"]
    path = candidates[-1]  # key IDs start with their creation time: the last is the newest
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path.name} is not an Ed25519 key")
    return path.stem, key


def active_kid() -> str:
    return _active_private_key()[0]


def public_key_b64(kid: str) -> str:
    key = _public_keys().get(kid)
    if key is None:
        raise SigningError(f"unknown key {kid}")
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def sign(message: bytes) -> str:
    kid, key = _active_private_key()
    return f"{kid}.{_b64(key.sign(message))}"


def verify(message: bytes, token: str) -> bool:
    """True only for a well-formed signature by a key we know. Never raises on bad input."""
    try:
        kid, encoded = token.split(".", 1)
        key = _public_keys().get(kid)
        if key is None:
            _public_keys.cache_clear()  # a key created by another process since we cached
            key = _public_keys().get(kid)
        if key is None:
            return False
        key.verify(_unb64(encoded), message)
    except (ValueError, InvalidSignature, binascii.Error, TypeError):
        return False
    return True
