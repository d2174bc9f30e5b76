"""Open Badges 3.0 credentials (W3C Verifiable Credentials) signed with the certificate key.

The proof is a Data Integrity ``eddsa-jcs-2022`` proof made with the same Ed25519 key
(creditbank.signing) that signs the QR link; the verification method is the key's public
Multikey document. Revocation is published as a W3C Bitstring Status List whose bit
``statusListIndex`` (the certificate's row number) is set when the certificate is revoked.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json

from django.urls import reverse
from django.utils import timezone

from creditbank import signing

from .models import Certificate
from .rendering import public_url, verify_url

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_LIST_BITS = 131072  # the spec's minimum (16 KB) so one index reveals little
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_MULTICODEC = b"\xed\x01"


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, remainder = divmod(number, 58)
        out = _B58[remainder] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def canonical(value) -> bytes:
    """JSON Canonicalization Scheme for our documents (strings, ints, lists, objects only)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw_signature(token: str) -> tuple[str, bytes]:
    kid, encoded = token.split(".", 1)
    return kid, base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


def key_url(kid: str) -> str:
    return public_url(reverse("skills:key", kwargs={"kid": kid}))


def key_document(kid: str) -> dict:
    raw = base64.urlsafe_b64decode(signing.public_key_b64(kid) + "==")
    return {
        "@context": ["https://w3id.org/security/multikey/v1"],
        "id": key_url(kid),
        "type": "Multikey",
        "controller": public_url("/"),
        "publicKeyMultibase": "z" + base58btc(ED25519_MULTICODEC + raw),
    }


def _hash_data(document: dict, proof_config: dict) -> bytes:
    return (
        hashlib.sha256(canonical(proof_config)).digest()
        + hashlib.sha256(canonical(document)).digest()
    )


def sign(document: dict) -> dict:
    """``document`` with an eddsa-jcs-2022 DataIntegrityProof by the active key."""
    proof_config = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "verificationMethod": f"{key_url(signing.active_kid())}#key",
        "proofPurpose": "assertionMethod",
    }
    token = signing.sign(_hash_data(document, proof_config))
    _kid, raw = _raw_signature(token)
    proof = {key: value for key, value in proof_config.items() if key != "@context"}
    proof["proofValue"] = "z" + base58btc(raw)
    return {**document, "proof": proof}


def verify_signed(signed: dict) -> bool:
    """Check an eddsa-jcs-2022 proof made by ``sign`` (tests and the curious)."""
    document = {key: value for key, value in signed.items() if key != "proof"}
    proof = dict(signed["proof"])
    value = proof.pop("proofValue")
    proof["@context"] = document["@context"]
    kid = proof["verificationMethod"].rsplit("/", 1)[-1].split("#")[0].removesuffix(".json")
    number = 0
    for char in value[1:]:
        number = number * 58 + _B58.index(char)
    raw = number.to_bytes(64, "big")
    token = f"{kid}." + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return signing.verify(_hash_data(document, proof), token)


def _date(value) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def status_list_url() -> str:
    return public_url(reverse("skills:status_list"))


def credential(certificate: Certificate) -> dict:
    standard = certificate.standard
    url = verify_url(certificate)
    document = {
        "@context": CONTEXTS,
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": public_url(f"/institutions/{certificate.centre.code}"),
            "type": ["Profile"],
            "name": certificate.issuer_name,
        },
        "validFrom": _date(certificate.issued_on),
        "name": f"{certificate.standard_name} ระดับ {certificate.level}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": public_url(reverse("skills:standard", kwargs={"pk": standard.pk})),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": f"{certificate.standard_name} ระดับ {certificate.level}",
                "description": standard.description or certificate.standard_name,
                "criteria": {"narrative": "ผ่านการทดสอบตามมาตรฐาน " + certificate.standard_code},
                "humanCode": certificate.standard_code,
                "fieldOfStudy": standard.branch,
                "tag": [f"NQF {certificate.nqf_level}", standard.get_body_display()],
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{certificate.pk}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.pk),
            "statusListCredential": status_list_url(),
        },
    }
    if certificate.expires_on:
        document["validUntil"] = _date(certificate.expires_on)
    return sign(document)


def encoded_list(revoked_indexes) -> str:
    size = STATUS_LIST_BITS
    indexes = list(revoked_indexes)
    while indexes and max(indexes) >= size:
        size *= 2
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)  # the spec counts from the left-most bit
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def is_revoked_in(encoded: str, index: int) -> bool:
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    bits = gzip.decompress(packed)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential() -> dict:
    revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED).values_list(
        "pk", flat=True
    )
    url = status_list_url()
    return sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": public_url("/"),
            "validFrom": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encoded_list(revoked),
            },
        }
    )
