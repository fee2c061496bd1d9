"""Ed25519 checkpoint key: the real :class:`~archive_svc.services.ports.audit.Signer`.

The private key is a PEM (PKCS#8) file of mode 600 outside the database; a
database administrator who rewrites the ledger cannot sign a matching checkpoint.
Retired public keys (one ``ed25519 <base64>`` line each) keep the checkpoints
they signed verifiable after a rotation. This is the only module importing
``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from archive_svc.services.ports.audit import Signer


class SigningKeyError(Exception):
    """The key file is missing, unreadable, too open or not an Ed25519 key."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def fingerprint(public: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, first 16 bytes in hex."""
    return hashlib.sha256(_raw(public)).hexdigest()[:32]


def public_line(public: Ed25519PublicKey) -> str:
    return f"ed25519 {base64.b64encode(_raw(public)).decode()}"


class Ed25519Signer(Signer):
    """Signs with the current key; verifies with it and every retired key."""

    def __init__(
        self, private: Ed25519PrivateKey, retired: list[Ed25519PublicKey]
    ) -> None:
        self._private = private
        current = private.public_key()
        self._keys = {fingerprint(k): k for k in [*retired, current]}
        self._key_id = fingerprint(current)
        self._public = public_line(current)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> str:
        return self._public

    def sign(self, payload: bytes) -> str:
        return self._private.sign(payload).hex()

    def verify(self, key_id: str, payload: bytes, signature: str) -> bool:
        key = self._keys.get(key_id)
        if key is None:
            return False
        try:
            key.verify(bytes.fromhex(signature), payload)
        except (InvalidSignature, ValueError):
            return False
        return True


def load_signer(key_file: Path, retired_file: Path) -> Ed25519Signer:
    """Read the key (refusing a file others may read) and the retired public keys.

    Raises:
        SigningKeyError: naming the file and what is wrong with it.
    """
    try:
        mode = key_file.stat().st_mode
        data = key_file.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"{key_file}: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(f"{key_file}: mode {stat.S_IMODE(mode):o}, must be 600")
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise SigningKeyError(f"{key_file}: not a PEM private key") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"{key_file}: not an Ed25519 key")
    return Ed25519Signer(private, read_retired(retired_file))


def read_retired(path: Path) -> list[Ed25519PublicKey]:
    if not path.exists():
        return []
    keys = []
    for line in path.read_text(encoding="ascii").splitlines():
        kind, _, value = line.strip().partition(" ")
        if kind == "ed25519":
            raw = base64.b64decode(value.split()[0])
            keys.append(Ed25519PublicKey.from_public_bytes(raw))
    return keys


def generate_key(key_file: Path, retired_file: Path, rotate: bool = False) -> str:
    """Write a new key (mode 600); with ``rotate``, retire the current one first.

    Returns the new key's fingerprint.

    Raises:
        SigningKeyError: the key exists and ``rotate`` is false, or the old key is unreadable.
    """
    if key_file.exists():
        if not rotate:
            raise SigningKeyError(f"{key_file} exists already (use --rotate)")
        old = load_signer(key_file, retired_file)
        with retired_file.open("a", encoding="ascii") as out:
            out.write(f"{old.public_key} {old.key_id}\n")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = key_file.with_name(key_file.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.replace(tmp, key_file)
    return fingerprint(private.public_key())
