"""The bundle file: a signed manifest and an encrypted payload in a plain ZIP.

docs/bundle-format.md is the specification; this module is its one
implementation. A bundle file is a ZIP archive (no compression, method 0)
with exactly three members, in this order:

``manifest.json``
    UTF-8 JSON, no personal data: format and schema versions, sender and
    recipient codes and key fingerprints, the sender's change-sequence range,
    record counts per kind, the SHA-256 and sizes of the payload.
``manifest.sig``
    The 64-byte Ed25519 signature of the exact bytes of ``manifest.json``,
    by the sender's signing key (``openssl pkeyutl -verify -rawin`` checks it).
``payload.hpke``
    The zlib-compressed JSON payload, encrypted to the recipient's X25519 key
    with HPKE (RFC 9180) base mode, suite DHKEM(X25519, HKDF-SHA256),
    HKDF-SHA256, ChaCha20-Poly1305, as implemented by ``cryptography``: the
    32-byte encapsulated key followed by the ciphertext and tag.

Reading is defensive: every size is capped before anything is read or
inflated, member names must be exactly the three above, and a payload is
decrypted only after the manifest's signature and hash check out.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from station_desktop.domain.errors import StationError

FORMAT = "station-desktop-bundle"
FORMAT_VERSION = 1
MEMBERS = ("manifest.json", "manifest.sig", "payload.hpke")
SUFFIX = ".sdbundle"
ENCRYPTION = "HPKE-Base-X25519-SHA256-ChaCha20Poly1305"
COMPRESSION = "zlib"

MAX_FILE = 1 << 30           # 1 GiB on the stick
MAX_MANIFEST = 64 * 1024     # the manifest is a few hundred bytes
MAX_PLAIN = 2 << 30          # a whole county's history inflates to far less
SIGNATURE_SIZE = 64

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


class BundleRefused(StationError):
    """A bundle (or enrolment file) that may not be applied. ``code`` says why."""

    code = "refused"


def refuse(code: str, message: str, hint: str, **facts: Any) -> BundleRefused:
    return BundleRefused(message, hint=hint, code=code, **facts)


def canonical_json(obj: Any) -> bytes:
    """The one byte form signed and hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def hpke_info(sender: str, recipient: str, bundle_id: str) -> bytes:
    """HPKE ``info``: binds the ciphertext to who sent it, to whom, and which bundle."""
    return f"{FORMAT}/{FORMAT_VERSION}|{sender}|{recipient}|{bundle_id}".encode()


def seal(plain: bytes, recipient: X25519PublicKey, info: bytes) -> bytes:
    return _SUITE.encrypt(zlib.compress(plain, 6), recipient, info=info)


def write_bundle(manifest: dict[str, Any], payload_plain: bytes, signing: Ed25519PrivateKey,
                 recipient: X25519PublicKey) -> bytes:
    """Encrypt ``payload_plain``, complete and sign ``manifest``; return the file's bytes."""
    info = hpke_info(manifest["sender"]["code"], manifest["recipient"]["code"],
                     manifest["bundle_id"])
    sealed = seal(payload_plain, recipient, info)
    manifest = dict(manifest)
    manifest["payload"] = {
        "sha256": hashlib.sha256(sealed).hexdigest(),
        "size": len(sealed),
        "plain_size": len(payload_plain),
        "compression": COMPRESSION,
        "encryption": ENCRYPTION,
    }
    manifest_bytes = canonical_json(manifest)
    signature = signing.sign(manifest_bytes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in zip(MEMBERS, (manifest_bytes, signature, sealed), strict=True):
            info_ = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info_.compress_type = zipfile.ZIP_STORED
            zf.writestr(info_, data)
    return out.getvalue()


@dataclass(frozen=True)
class Opened:
    """A bundle read from disk whose structure is sound; nothing verified yet."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    sealed: bytes
    sha256: str  # of the whole file: the identity a replay is recognised by


def open_bundle(data: bytes) -> Opened:
    """Check the container's shape and limits; return its parts. Raises BundleRefused."""
    damaged = ("文件已损坏或不完整，不是有效的数据包。",
               "请从原服务站重新导出数据包后再导入。")
    if len(data) > MAX_FILE:
        raise refuse("too_large", "数据包超过 1 GB，不像本程序导出的文件。", damaged[1])
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise refuse("damaged", *damaged, detail=str(exc)) from exc
    names = [i.filename for i in infos]
    if tuple(names) != MEMBERS:
        raise refuse("unexpected_members", "数据包里的文件不对（多了、少了或名字不符），已拒绝。",
                     damaged[1], members=names[:10])
    for i in infos:
        if i.compress_type != zipfile.ZIP_STORED or i.flag_bits & 0x1:
            raise refuse("unexpected_members", "数据包的打包方式不对，已拒绝。", damaged[1])
    man_info, sig_info, pay_info = infos
    if man_info.file_size > MAX_MANIFEST or sig_info.file_size != SIGNATURE_SIZE:
        raise refuse("oversized", "数据包的清单或签名大小不对，已拒绝。", damaged[1])
    try:
        manifest_bytes = zf.read(man_info)
        signature = zf.read(sig_info)
        sealed = zf.read(pay_info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise refuse("damaged", *damaged, detail=str(exc)) from exc
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise refuse("damaged", *damaged, detail=str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refuse("not_a_bundle", "这不是本程序的数据包。", "请选择扩展名为 .sdbundle 的文件。")
    _check_manifest_shape(manifest)
    return Opened(manifest, manifest_bytes, signature, sealed, hashlib.sha256(data).hexdigest())


def _check_manifest_shape(m: dict[str, Any]) -> None:
    def bad(what: str) -> BundleRefused:
        return refuse("bad_manifest", f"数据包清单有误（{what}），已拒绝。",
                      "请从原服务站重新导出数据包。")

    version = m.get("format_version")
    if not isinstance(version, int):
        raise bad("格式版本")
    if version > FORMAT_VERSION:
        raise refuse("newer_format", "这个数据包由更新版本的程序导出，本机程序看不懂。",
                     "请先把本机的服务站管理程序升级到最新版本，再导入。", version=version)
    for party in ("sender", "recipient"):
        p = m.get(party)
        if not isinstance(p, dict) or not isinstance(p.get("code"), str) \
                or not isinstance(p.get("fingerprint"), str):
            raise bad(party)
    seq = m.get("seq")
    if not (isinstance(seq, dict) and isinstance(seq.get("from"), int)
            and isinstance(seq.get("to"), int) and 0 <= seq["from"] <= seq["to"] + 1):
        raise bad("变更序号")
    for key in ("schema", "bundle_id", "created_at", "kind"):
        if not isinstance(m.get(key), str):
            raise bad(key)
    if not isinstance(m.get("ack"), int) or m["ack"] < 0:
        raise bad("确认序号")
    pay = m.get("payload")
    if not (isinstance(pay, dict) and isinstance(pay.get("sha256"), str)
            and isinstance(pay.get("size"), int) and isinstance(pay.get("plain_size"), int)):
        raise bad("载荷")
    if pay.get("encryption") != ENCRYPTION or pay.get("compression") != COMPRESSION:
        raise refuse("newer_format", "数据包使用了本机程序不认识的加密或压缩方式。",
                     "请先把本机程序升级到最新版本，再导入。")
    if not (0 <= pay["plain_size"] <= MAX_PLAIN):
        raise refuse("oversized", "数据包声明的内容过大，已拒绝。", "请从原服务站重新导出数据包。")


def verify_signature(opened: Opened, signer: Ed25519PublicKey) -> None:
    try:
        signer.verify(opened.signature, opened.manifest_bytes)
    except InvalidSignature as exc:
        raise refuse("bad_signature", "数据包的签名不对：它不是由登记的服务站密钥签发的，或者已被改动。",
                     "请勿使用这个文件；请联系发送方重新导出，并核对密钥指纹。") from exc


def check_payload_hash(opened: Opened) -> None:
    pay = opened.manifest["payload"]
    if len(opened.sealed) != pay["size"] or \
            hashlib.sha256(opened.sealed).hexdigest() != pay["sha256"]:
        raise refuse("bad_hash", "数据包内容与清单不符（可能被改动或复制不完整）。",
                     "请重新从U盘复制，或请发送方重新导出。")


def unseal(opened: Opened, key: X25519PrivateKey) -> Any:
    """Decrypt, inflate within the declared size, parse. Raises BundleRefused."""
    m = opened.manifest
    info = hpke_info(m["sender"]["code"], m["recipient"]["code"], m["bundle_id"])
    try:
        compressed = _SUITE.decrypt(opened.sealed, key, info=info)
    except (InvalidTag, ValueError) as exc:
        raise refuse("cannot_decrypt", "数据包无法解密：它不是加密给本机的，或已被改动。",
                     "请确认这个数据包是发给本服务站的，并请发送方重新导出。") from exc
    limit = m["payload"]["plain_size"]
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(compressed, limit + 1)
    except zlib.error as exc:
        raise refuse("damaged", "数据包内容无法解压。", "请发送方重新导出。") from exc
    # Exactly the declared size, one complete stream, nothing after it (the spec).
    if len(plain) != limit or inflater.unconsumed_tail or inflater.unused_data \
            or not inflater.eof:
        raise refuse("oversized", "数据包解压后的大小与清单不符（可能是恶意构造的文件），已拒绝。",
                     "请勿使用这个文件，并告知发送方。")
    try:
        return json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise refuse("damaged", "数据包内容格式有误。", "请发送方重新导出。") from exc


# --- small signed documents (enrolment request and acceptance) -----------------


def sign_document(doc: dict[str, Any], signing: Ed25519PrivateKey) -> bytes:
    """A JSON file ``{"document": {...}, "signature": base64}``; the signature is over
    the canonical JSON of ``document``."""
    sig = signing.sign(canonical_json(doc))
    return json.dumps({"document": doc, "signature": base64.b64encode(sig).decode()},
                      ensure_ascii=False, indent=2).encode()


def read_document(data: bytes, kind: str) -> tuple[dict[str, Any], bytes]:
    """Parse a signed document of ``kind``; return it and its signature (not yet verified)."""
    bad = refuse("bad_document", "这不是有效的登记文件，或文件已损坏。",
                 "请让对方重新生成登记文件后再试。")
    if len(data) > MAX_MANIFEST:
        raise bad
    try:
        outer = json.loads(data.decode("utf-8"))
        doc, sig = outer["document"], base64.b64decode(outer["signature"], validate=True)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise bad from exc
    if not isinstance(doc, dict) or doc.get("type") != kind or len(sig) != SIGNATURE_SIZE:
        raise bad
    return doc, sig


def verify_document(doc: dict[str, Any], sig: bytes, signer: Ed25519PublicKey) -> None:
    try:
        signer.verify(sig, canonical_json(doc))
    except InvalidSignature as exc:
        raise refuse("bad_signature", "登记文件的签名不对，可能已被改动。",
                     "请勿使用这个文件，请让对方重新生成。") from exc


def signing_key(raw_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(raw_b64, validate=True))


def encryption_key(raw_b64: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(base64.b64decode(raw_b64, validate=True))
