"""Hostile and careless input found in review (issue 14): option lists that would switch a check
off, negative leeway, short secrets, a store that reuses an id, a row that leaks private members,
credentials in a JWKS URL. Each rule lives in the core; this checks that Python gets it."""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

import authjwt
from authjwt import AuthJwtError, KeySet, MemoryStore, RemoteKeySet, verify_jwt

from conftest import SECRET, CountingStore, make_issuer


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]  # type: ignore[no-any-return]


@pytest.fixture
def signed() -> Any:
    issuer = make_issuer()
    token = issuer.sign({"sub": "u1"})
    return issuer, token, KeySet.from_jwks(issuer.jwks())


@pytest.mark.parametrize(
    "options,name",
    [
        ({"issuer": []}, "issuer"),
        ({"audience": []}, "audience"),
        ({"audience": ("api", "")}, "audience"),
        ({"algorithms": []}, "algorithms"),
        ({"required_claims": []}, "required_claims"),
        ({"typ": ""}, "typ"),
        ({"subject": ""}, "subject"),
        ({"leeway": -1}, "leeway"),
        ({"leeway": -(2**63)}, "leeway"),
        ({"leeway": timedelta(seconds=-5)}, "leeway"),
        ({"max_token_age": -1}, "max_token_age"),
    ],
)
def test_options_that_would_switch_a_check_off_are_invalid_config(signed: Any, options: Dict[str, Any], name: str) -> None:
    issuer, token, keys = signed
    for verify in (lambda: verify_jwt(token, keys, **options), lambda: issuer.verify(token, **options)):
        with pytest.raises(AuthJwtError) as info:
            verify()
        assert info.value.code == "ERR_INVALID_CONFIG"
        assert name in str(info.value)
    assert verify_jwt(token, keys).payload["sub"] == "u1"


def test_an_expired_token_for_another_audience_reports_exp(signed: Any) -> None:
    issuer, _, keys = signed
    token = issuer.sign({"sub": "u1"}, audience="elsewhere", expiration_time="-1m")
    with pytest.raises(authjwt.JWTExpired) as info:
        verify_jwt(token, keys, audience="api")
    assert info.value.claim == "exp"


@pytest.mark.parametrize("weak", ["x", "12345678", "a" * 31])
def test_a_secret_under_32_characters_is_refused_unless_allowed(weak: str) -> None:
    with pytest.raises(AuthJwtError) as info:
        authjwt.Issuer(secret=weak)
    assert info.value.code == "ERR_INVALID_CONFIG"
    assert "allow_weak_secret" in str(info.value)
    assert len(weak) == 1 or weak not in str(info.value)
    authjwt.Issuer(secret=weak, allow_weak_secret=True)
    authjwt.Issuer(secret=weak, disable_private_key_encryption=True)


def test_rows_sealed_under_a_short_secret_still_open_with_a_warning_event() -> None:
    store = MemoryStore()
    legacy = authjwt.Issuer(store=store, secret="short", allow_weak_secret=True, private_key_format="better-auth")
    old = legacy.sign({})
    events: List[Dict[str, Any]] = []
    moved = authjwt.Issuer(store=store, secret=[SECRET, "short"], on_event=events.append)
    token = moved.sign({})
    assert kid_of(token) == kid_of(old)
    assert [e for e in events if e["type"] == "secret.weak"] == [{"type": "secret.weak", "kid": kid_of(old)}]


def expired_copy(row: authjwt.JwkRow, **changes: Any) -> authjwt.JwkRow:
    fields = dict(
        id=row.id,
        public_key=row.public_key,
        private_key=row.private_key,
        created_at=row.created_at,
        expires_at=row.expires_at,
        alg=row.alg,
        crv=row.crv,
    )
    fields.update(changes)
    return authjwt.JwkRow(**fields)


def test_create_jwk_returning_the_id_of_a_row_just_read_is_refused() -> None:
    source = CountingStore()
    authjwt.Issuer(store=source, disable_private_key_encryption=True).sign({})
    existing = expired_copy(source.rows[0], expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))

    class ReusingStore(CountingStore):
        def create_jwk(self, row: authjwt.JwkRow) -> authjwt.JwkRow:
            self.creates += 1
            return expired_copy(row, id=existing.id)  # stores nothing, answers an id in use

    store = ReusingStore()
    store.rows = [existing]
    issuer = authjwt.Issuer(store=store, disable_private_key_encryption=True)
    with pytest.raises(AuthJwtError) as info:
        issuer.sign({})
    assert info.value.code == "ERR_STORE"
    assert existing.id in str(info.value)
    assert store.creates == 1


def test_a_row_whose_public_key_holds_private_members_never_signs() -> None:
    source = CountingStore()
    authjwt.Issuer(store=source, disable_private_key_encryption=True).sign({})
    leaky = expired_copy(source.rows[0], public_key=source.rows[0].private_key)
    store = CountingStore()
    store.rows = [leaky]
    issuer = authjwt.Issuer(store=store, disable_private_key_encryption=True)
    with pytest.raises(AuthJwtError) as sign_error:
        issuer.sign({})
    with pytest.raises(AuthJwtError) as jwks_error:
        issuer.jwks()
    assert sign_error.value.code == jwks_error.value.code == "ERR_JWKS_INVALID"
    assert str(sign_error.value) == str(jwks_error.value)
    assert '"d"' in str(sign_error.value)
    assert store.creates == 0


@pytest.fixture
def failing_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_credentials_in_a_jwks_url_never_show(failing_server: str, signed: Any) -> None:
    _, token, _ = signed
    events: List[Dict[str, Any]] = []
    url = f"http://jwks-user:hunter2-pw@{failing_server}/jwks?api_key=k3y-s3cret"
    keys = RemoteKeySet(url, timeout=2, on_event=events.append)
    messages = []
    for _ in range(2):  # the fetch, then the answer during the backoff
        with pytest.raises(AuthJwtError) as info:
            keys.verify(token)
        messages.append(str(info.value))
    shown = [keys.url, *messages, *(json.dumps(e) for e in events)]
    assert any(e["type"] == "jwks.fetch_failed" for e in events)
    for text in shown:
        for secret in ("hunter2-pw", "jwks-user", "k3y-s3cret"):
            assert secret not in text, text
    assert keys.url == f"http://***@{failing_server}/jwks?api_key=***"
    assert messages[1] == messages[0], "the backoff repeats the error, its prefix once"
