"""Uses the whole public API with precise types; `mypy --strict` must accept it (test_typing.py).
Never run: it only has to type-check."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, List, Optional

import authjwt
from authjwt import (
    AsyncIssuer,
    AsyncKeyStore,
    AsyncRemoteKeySet,
    AuthJwtError,
    Issuer,
    JwkRow,
    JWTClaimValidationFailed,
    JWTExpired,
    JwkUpdate,
    KeySet,
    KeyStore,
    ManualClock,
    MemoryStore,
    RemoteKeySet,
    StoreError,
    UpdatableKeyStore,
    VerifiedJwt,
    decode_header,
    decode_jwt,
    extract_bearer_token,
    verify_jwt,
)


class ListStore:
    def __init__(self) -> None:
        self.rows: List[JwkRow] = []

    def get_jwks(self) -> List[JwkRow]:
        return self.rows

    def create_jwk(self, row: JwkRow) -> JwkRow:
        self.rows.append(row)
        return row


class UpdatingListStore(ListStore):
    def update_jwk(self, id: str, update: JwkUpdate) -> None:
        self.rows = [r.replace(expires_at=update["expires_at"]) if r.id == id else r for r in self.rows]


def revoke_usage() -> None:
    store: UpdatableKeyStore = UpdatingListStore()
    issuer = Issuer(store=store, secret="s")
    issuer.revoke(issuer.rotate().id)
    MemoryStore().update_jwk("kid", {"expires_at": dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)})


class AsyncListStore:
    def __init__(self) -> None:
        self.rows: List[JwkRow] = []

    async def get_jwks(self) -> List[JwkRow]:
        return self.rows

    async def create_jwk(self, row: JwkRow) -> JwkRow:
        self.rows.append(row.replace(id="db-" + row.id))
        return self.rows[-1]


def on_event(event: Dict[str, Any]) -> None:
    print(event["type"])


def define_payload(user: Dict[str, Any], session: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    return {"uid": user["id"]}


def sync_usage() -> str:
    store: KeyStore = ListStore()
    clock = ManualClock(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    clock.advance(dt.timedelta(seconds=5))
    clock.advance(3)
    clock.set(1_900_000_000)
    now: dt.datetime = clock.now()
    issuer = Issuer(
        store=store,
        secret=["new", "old"],
        key_pair_config={"alg": "ES256"},
        key_pair_configs=[{"alg": "RS256", "modulus_length": 2048}],
        issuer="https://auth.example.com",
        audience=["api", "web"],
        expiration_time="15m",
        rotation_interval=30 * 86400,
        grace_period=dt.timedelta(days=30),
        key_cache_ttl=300,
        disable_private_key_encryption=False,
        private_key_format="better-auth",
        store_timeout=2.5,
        define_payload=define_payload,
        get_subject=lambda user, session: str(user["id"]),
        on_event=on_event,
        clock=clock,
    )
    Issuer(store=MemoryStore(), secret={"2": "b", "1": "a"}, clock=lambda: 1.0)
    kms = Issuer(
        external_signer={"sign": lambda data: data[:64], "alg": "EdDSA", "kid": "kms-1"},
        remote_url="https://kms.example.com/jwks.json",
        disable_private_key_encryption=True,
    )
    url: Optional[str] = kms.remote_url
    token: str = issuer.sign(
        {"sub": "u"},
        expiration_time=dt.timedelta(minutes=5),
        issuer="x",
        audience="y",
        subject="s",
        typ="at+jwt",
        signing_key_id=None,
        signing_algorithm="ES256",
    )
    token = issuer.sign_session({"id": "u"}, {"id": "s"}, expiration_time=now)
    jwks: Dict[str, Any] = issuer.jwks()
    row: JwkRow = issuer.rotate()
    created: dt.datetime = row.created_at
    expires: Optional[dt.datetime] = row.expires_at
    columns: Dict[str, Any] = row.to_dict()
    same: JwkRow = JwkRow.from_dict(columns)
    assert same == row and created <= now and expires is None
    v: VerifiedJwt = issuer.verify(token, audience="api", leeway=5, now=now)
    claims: Dict[str, Any] = v.payload
    header: Dict[str, Any] = v.header
    keys = KeySet.from_jwks(jwks)
    kids: List[str] = keys.kids
    n: int = len(keys)
    verify_jwt(
        token,
        keys,
        issuer="https://auth.example.com",
        audience="api",
        algorithms=["ES256"],
        leeway=dt.timedelta(seconds=1),
        max_token_age="1h",
        required_claims=["sub"],
        typ="at+jwt",
        subject="u",
        now=dt.datetime.now(dt.timezone.utc),
        require_exp=True,
    )
    remote = RemoteKeySet("https://auth.example.com/api/auth/jwks", cache_max_age=600, cooldown=30, timeout=5)
    remote.verify(token, audience="api")
    verify_jwt(token, remote)
    fetched: int = remote.reload()
    bearer: Optional[str] = extract_bearer_token("Bearer " + token)
    payload: Dict[str, Any] = decode_jwt(token)
    hdr: Dict[str, Any] = decode_header(token)
    mem = MemoryStore([row])
    rows: List[JwkRow] = mem.get_jwks()
    mem.create_jwk(row)
    try:
        verify_jwt(token, keys)
    except JWTExpired as e:
        claim: Optional[str] = e.claim
    except JWTClaimValidationFailed as e:
        reason: Optional[str] = e.reason
    except StoreError as e:
        cause: Optional[BaseException] = e.__cause__
    except AuthJwtError as e:
        code: str = e.code
    return f"{claims}{header}{kids}{n}{fetched}{bearer}{payload}{hdr}{rows}{url}"


async def async_usage() -> str:
    store: AsyncKeyStore = AsyncListStore()
    issuer = AsyncIssuer(store=store, secret="s", audience="api")
    token: str = await issuer.sign({"sub": "u"}, expiration_time="5m")
    token = await issuer.sign_session({"id": "u"}, {})
    jwks: Dict[str, Any] = await issuer.jwks()
    row: JwkRow = await issuer.rotate()
    v: VerifiedJwt = await issuer.verify(token)
    remote = AsyncRemoteKeySet("https://auth.example.com/api/auth/jwks", timeout=2)
    v = await remote.verify(token, audience="api")
    count: int = await remote.reload()
    return f"{jwks}{row.id}{v.payload}{count}{authjwt.__version__}"


def coroutine_usage() -> int:
    # The async methods are coroutines: asyncio.run, create_task, gather and wait_for take them.
    remote = AsyncRemoteKeySet("https://auth.example.com/api/auth/jwks")
    issuer = AsyncIssuer(secret="s")

    async def main() -> int:
        task: "asyncio.Task[str]" = asyncio.create_task(issuer.sign({"sub": "u"}))
        tokens: List[str] = list(await asyncio.gather(task, issuer.sign({})))
        v: VerifiedJwt = await asyncio.wait_for(issuer.verify(tokens[0]), timeout=5)
        return len(v.payload)

    return asyncio.run(remote.reload()) + asyncio.run(main())
