"""This installation's keys: Ed25519 to sign, X25519 to receive encrypted bundles.

Generated once at ``init`` with ``cryptography`` and kept in ``<data dir>/keys``
as PKCS#8 PEM files readable by the owner only. The fingerprint is a short
text a clerk can read aloud over the phone to confirm an enrolment.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

SIGNING_FILE = "signing-ed25519.pem"
ENCRYPTION_FILE = "encryption-x25519.pem"


@dataclass(frozen=True)
class Keys:
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @property
    def signing_public(self) -> Ed25519PublicKey:
        return self.signing.public_key()

    @property
    def encryption_public(self) -> X25519PublicKey:
        return self.encryption.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(public_bytes(self.signing_public), public_bytes(self.encryption_public))


def public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(signing_public: bytes, encryption_public: bytes) -> str:
    """SHA-256 over both raw public keys, first 10 bytes in base32 groups: ``ABCD-EFGH-...``."""
    digest = hashlib.sha256(b"station-desktop-keys-v1" + signing_public + encryption_public).digest()
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def _write_private(path: Path, pem: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_keys(data_dir: Path) -> Keys | None:
    folder = Path(data_dir) / "keys"
    sig, enc = folder / SIGNING_FILE, folder / ENCRYPTION_FILE
    if not (sig.exists() and enc.exists()):
        return None
    signing = serialization.load_pem_private_key(sig.read_bytes(), password=None)
    encryption = serialization.load_pem_private_key(enc.read_bytes(), password=None)
    assert isinstance(signing, Ed25519PrivateKey) and isinstance(encryption, X25519PrivateKey)
    return Keys(signing, encryption)


def generate() -> Keys:
    """A fresh pair of keys (not stored)."""
    return Keys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def ensure_keys(data_dir: Path) -> Keys:
    """Load this installation's keys, creating them on first use. Never overwrites keys."""
    existing = load_keys(data_dir)
    if existing is not None:
        return existing
    folder = Path(data_dir) / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    keys = generate()
    _write_private(folder / SIGNING_FILE, _pem(keys.signing))
    _write_private(folder / ENCRYPTION_FILE, _pem(keys.encryption))
    return keys
