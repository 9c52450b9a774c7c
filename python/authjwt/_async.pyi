# Types of authjwt._async: the asyncio classes, whose methods are coroutines (usable with
# asyncio.run, create_task, gather and wait_for). Checked by mypy --strict on tests/typed_sample.py.

from datetime import datetime
from typing import Any, Dict, Optional, Sequence, Union, final

from . import _native
from ._native import JwkRow, VerifiedJwt, _Audience, _ExpirationTime, _Json, _Seconds

__all__ = ["AsyncIssuer", "AsyncRemoteKeySet"]

@final
class AsyncIssuer(_native.AsyncIssuer):
    """:class:`Issuer` for asyncio: ``async def`` store and hooks, coroutine methods."""

    async def sign(
        self,
        payload: Dict[str, _Json],
        *,
        expiration_time: Optional[_ExpirationTime] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        subject: Optional[str] = None,
        typ: Optional[str] = None,
        signing_key_id: Optional[str] = None,
        signing_algorithm: Optional[str] = None,
    ) -> str: ...
    async def sign_session(
        self,
        user: Dict[str, _Json],
        session: Dict[str, _Json],
        *,
        expiration_time: Optional[_ExpirationTime] = None,
        issuer: Optional[str] = None,
        audience: Optional[_Audience] = None,
        subject: Optional[str] = None,
        typ: Optional[str] = None,
    ) -> str: ...
    async def jwks(self) -> Dict[str, Any]: ...
    async def rotate(self, *, staged: bool = False) -> JwkRow: ...
    async def revoke(self, kid: str) -> None: ...
    async def prepare_next_key(self) -> Optional[JwkRow]: ...
    def jwks_cache_control(self) -> str: ...
    async def verify(
        self,
        token: str,
        *,
        issuer: Optional[_Audience] = None,
        audience: Optional[_Audience] = None,
        algorithms: Optional[Sequence[str]] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        now: Optional[Union[datetime, int, float]] = None,
        require_exp: Optional[bool] = None,
    ) -> VerifiedJwt: ...

@final
class AsyncRemoteKeySet(_native.AsyncRemoteKeySet):
    """:class:`RemoteKeySet` for asyncio: coroutine methods; fetches never block the loop."""

    async def reload(self) -> int: ...
    async def verify(
        self,
        token: str,
        *,
        issuer: Optional[_Audience] = None,
        audience: Optional[_Audience] = None,
        algorithms: Optional[Sequence[str]] = None,
        leeway: Optional[_Seconds] = None,
        max_token_age: Optional[Union[_Seconds, str]] = None,
        required_claims: Optional[Sequence[str]] = None,
        typ: Optional[str] = None,
        subject: Optional[str] = None,
        now: Optional[Union[datetime, int, float]] = None,
        require_exp: Optional[bool] = None,
    ) -> VerifiedJwt: ...
