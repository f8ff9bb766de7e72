"""Timestamped HMAC-SHA256 signatures (`t=...,v1=...`): valid, wrong secret, tampered, stale, rotation."""

from __future__ import annotations

from marketplace.signatures import signature_compute, signature_header, signature_verify

BODY = b'{"id":"scan_1","tracking_number":"ENC1","status":"delivered"}'


def test_a_signature_made_with_the_secret_verifies():
    header = signature_header(secrets=["s3cret"], body=BODY, timestamp=1_700_000_000)

    assert header == f"t=1700000000,v1={signature_compute(secret='s3cret', timestamp=1_700_000_000, body=BODY)}"
    assert signature_verify(header=header, body=BODY, secrets=["s3cret"], now=1_700_000_100)


def test_wrong_secret_tampered_body_stale_or_malformed_headers_fail():
    header = signature_header(secrets=["s3cret"], body=BODY, timestamp=1_700_000_000)

    assert not signature_verify(header=header, body=BODY, secrets=["other"], now=1_700_000_000)
    assert not signature_verify(header=header, body=BODY + b" ", secrets=["s3cret"], now=1_700_000_000)
    assert not signature_verify(header=header, body=BODY, secrets=["s3cret"], now=1_700_000_000 + 301)
    assert not signature_verify(header=header, body=BODY, secrets=["s3cret"], now=1_700_000_000 - 301)
    assert not signature_verify(header="", body=BODY, secrets=["s3cret"], now=1_700_000_000)
    assert not signature_verify(header="t=abc,v1=00", body=BODY, secrets=["s3cret"], now=1_700_000_000)
    assert not signature_verify(header=header, body=BODY, secrets=[""], now=1_700_000_000)


def test_during_a_rotation_either_secret_verifies():
    header = signature_header(secrets=["old", "new"], body=BODY, timestamp=1_700_000_000)

    assert signature_verify(header=header, body=BODY, secrets=["new"], now=1_700_000_000)
    assert signature_verify(header=header, body=BODY, secrets=["old"], now=1_700_000_000)
