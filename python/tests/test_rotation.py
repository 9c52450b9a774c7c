"""Rotation that no verifier notices (issue 19) through the Python host: rotation_lead, staged
rotate, revoke on the native MemoryStore, the JWKS Cache-Control. A manual clock: nothing waits."""

from __future__ import annotations

import datetime as dt

import pytest

import authjwt
from authjwt import Issuer, ManualClock, MemoryStore

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 1, 1, tzinfo=UTC)


def kid_of_next_token(issuer: Issuer) -> str:
    return authjwt.decode_header(issuer.sign({}))["kid"]


def published(issuer: Issuer) -> set:
    return {k["kid"] for k in issuer.jwks()["keys"]}


def test_next_key_is_published_the_lead_before_it_signs_and_switches_at_expiry() -> None:
    clock = ManualClock(T0)
    store = MemoryStore()
    options = dict(store=store, clock=clock, disable_private_key_encryption=True,
                   rotation_interval=3600, rotation_lead=dt.timedelta(minutes=10))
    a, b = Issuer(**options), Issuer(**options)
    first = kid_of_next_token(a)
    assert kid_of_next_token(b) == first
    clock.advance(3000 - 1)
    assert a.prepare_next_key() is None
    clock.advance(1)
    nxt = a.prepare_next_key()
    assert nxt is not None and nxt.expires_at == T0 + dt.timedelta(hours=2)
    assert published(a) == {first, nxt.id}
    assert b.prepare_next_key().id == nxt.id
    clock.set(T0 + dt.timedelta(seconds=3599.999))
    assert kid_of_next_token(a) == first and kid_of_next_token(b) == first
    clock.set(T0 + dt.timedelta(hours=1))
    assert kid_of_next_token(a) == nxt.id and kid_of_next_token(b) == nxt.id


def test_staged_rotate_signs_after_the_lead_and_revoke_removes_at_once() -> None:
    clock = ManualClock(T0)
    issuer = Issuer(store=MemoryStore(), clock=clock, disable_private_key_encryption=True,
                    rotation_lead=60)
    old = kid_of_next_token(issuer)
    clock.advance(1)
    staged = issuer.rotate(staged=True)
    assert staged.id in published(issuer)
    clock.advance(59)
    assert kid_of_next_token(issuer) == old
    clock.advance(1)
    assert kid_of_next_token(issuer) == staged.id
    issuer.revoke(staged.id)
    assert staged.id not in published(issuer)
    assert kid_of_next_token(issuer) != staged.id
    with pytest.raises(authjwt.AuthJwtError) as err:
        issuer.revoke("no-such-kid")
    assert err.value.code == "ERR_JWKS_NO_MATCHING_KEY"


def test_jwks_cache_control_is_at_most_half_the_lead() -> None:
    issuer = Issuer(store=MemoryStore(), disable_private_key_encryption=True, rotation_interval=60)
    assert issuer.jwks_cache_control() == "public, max-age=15, stale-while-revalidate=3"
    with pytest.raises(authjwt.AuthJwtError) as err:
        Issuer(store=MemoryStore(), disable_private_key_encryption=True, rotation_interval=60,
               rotation_lead=60)
    assert err.value.code == "ERR_INVALID_CONFIG"


@pytest.mark.parametrize("name", ["rotation_lead", "rotation_interval", "grace_period"])
def test_a_fraction_of_a_second_in_a_lifecycle_duration_is_refused(name: str) -> None:
    options = {"rotation_interval": 3600, name: 0.5}
    with pytest.raises(authjwt.InvalidConfig) as raised:
        Issuer(disable_private_key_encryption=True, **options)
    assert raised.value.code == "ERR_INVALID_CONFIG"
    assert name in str(raised.value)
    with pytest.raises(authjwt.InvalidConfig):
        Issuer(disable_private_key_encryption=True,
               **{"rotation_interval": 3600, name: dt.timedelta(milliseconds=500)})
