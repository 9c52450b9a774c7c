"""Identity-provider-shaped JWKS documents (tests/conformance/idp-jwks, shared with every host):
the tokens signed by each set's usable keys verify through KeySet.from_jwks, RemoteKeySet and
AsyncRemoteKeySet (served on 127.0.0.1); unusable keys are skipped and reported once each through
on_event; a token naming a skipped key is ERR_JWKS_NO_MATCHING_KEY."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import authjwt
from authjwt import AsyncRemoteKeySet, KeySet, RemoteKeySet, verify_jwt

from conftest import JwksServer

DIR = Path(__file__).resolve().parents[2] / "tests" / "conformance" / "idp-jwks"
NAMES: List[str] = json.loads((DIR / "index.json").read_text())
FIXTURES: Dict[str, Dict[str, Any]] = {n: json.loads((DIR / f"{n}.json").read_text()) for n in NAMES}


def options(f: Dict[str, Any]) -> Dict[str, Any]:
    return {"issuer": f["iss"], "audience": f["aud"]}


def reports(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [
        {"index": e["index"], "kid": e["kid"], "reason": e["reason"]}
        for e in events
        if e["type"] == "jwks.key_skipped"
    ]


def test_the_fixture_index_lists_every_idp_shape() -> None:
    for name in ("keycloak", "entra", "auth0", "okta", "google", "cognito", "apple", "supabase", "mixed"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_local_key_set(name: str) -> None:
    f = FIXTURES[name]
    events: List[Dict[str, Any]] = []
    keys = KeySet.from_jwks(f["jwks"], on_event=events.append)
    assert f["tokens"]
    for t in f["tokens"]:
        verified = verify_jwt(t["token"], keys, **options(f))
        assert verified.header["kid"] == t["kid"]
        assert verified.payload["sub"] == f"user-of-{t['kid']}"
    for t in f["rejected"]:
        with pytest.raises(authjwt.AuthJwtError) as info:
            verify_jwt(t["token"], keys, **options(f))
        assert info.value.code == t["code"]
    assert reports(events) == f["skipped"]
    shown = repr(events) + repr(keys)
    for key in f["jwks"]["keys"]:
        for member in ("d", "n", "x", "y"):
            if isinstance(key.get(member), str):
                assert key[member] not in shown, f"{name}: {member} shown"


def test_a_published_private_key_is_reported_loudly() -> None:
    f = FIXTURES["leaked-private"]
    events: List[Dict[str, Any]] = []
    KeySet.from_jwks(json.dumps(f["jwks"]), on_event=events.append)
    assert [e["reason"] for e in events] == ["private_key_published"]
    assert events[0]["message"].startswith("SECURITY: ")
    assert "compromised" in events[0]["message"]


def test_only_unusable_keys_make_an_empty_set() -> None:
    mixed = FIXTURES["mixed"]
    keys = KeySet.from_jwks({"keys": [k for k in mixed["jwks"]["keys"] if k.get("use") == "enc"]})
    assert len(keys) == 0
    with pytest.raises(authjwt.JWKSNoMatchingKey):
        verify_jwt(mixed["tokens"][0]["token"], keys, **options(mixed))


@pytest.mark.parametrize("name", NAMES)
def test_remote_key_set(name: str, jwks_server: JwksServer) -> None:
    f = FIXTURES[name]
    jwks_server.document = f["jwks"]
    remote = RemoteKeySet(jwks_server.url)
    for t in f["tokens"]:
        assert remote.verify(t["token"], **options(f)).header["kid"] == t["kid"]
    for t in f["rejected"]:
        with pytest.raises(authjwt.AuthJwtError) as info:
            remote.verify(t["token"], **options(f))
        assert info.value.code == t["code"]
    assert jwks_server.requests >= 1


@pytest.mark.parametrize("name", NAMES)
def test_async_remote_key_set(name: str, jwks_server: JwksServer) -> None:
    f = FIXTURES[name]
    jwks_server.document = f["jwks"]

    async def run() -> None:
        remote = AsyncRemoteKeySet(jwks_server.url)
        for t in f["tokens"]:
            assert (await remote.verify(t["token"], **options(f))).header["kid"] == t["kid"]
        for t in f["rejected"]:
            with pytest.raises(authjwt.AuthJwtError) as info:
                await remote.verify(t["token"], **options(f))
            assert info.value.code == t["code"]

    asyncio.run(run())
