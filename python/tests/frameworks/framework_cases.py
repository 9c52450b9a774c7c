"""What every framework integration must answer: one table of requests and their RFC 6750 answers,
run through each framework's own test client and through a real server on 127.0.0.1.

Every test app serves the same routes (see the *_app.py modules next to this file):
  GET /api/me        a valid token (realm "test", audience "api", issuer https://auth.example.com)
  GET /api/admin     the same, plus the scope "admin"
  GET /api/optional  anonymous allowed; answers {"sub": null} without a token
  GET /down/me       verified against a JWKS URL where nothing listens (503, never 401)
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from conftest import make_issuer

HERE = Path(__file__).resolve().parent
ISSUER = "https://auth.example.com"
AUDIENCE = "api"
REALM = "test"


@dataclass
class Answer:
    status: int
    headers: Dict[str, str]  # lower-case names
    body: Any


#: A request to the app under test: (path, extra headers) -> its answer.
Send = Callable[[str, Mapping[str, str]], Answer]


@dataclass
class Case:
    name: str
    path: str
    authorization: Optional[str]
    status: int
    #: The exact WWW-Authenticate value, or None when the answer must not carry one.
    www_authenticate: Optional[str]
    #: For 200 answers: the "sub" the app saw.
    sub: Optional[str] = None


class Tokens:
    """Tokens of one issuer whose JWKS the test serves, and of another it does not."""

    def __init__(self) -> None:
        self.issuer = make_issuer(issuer=ISSUER, audience=AUDIENCE)
        self.jwks = self.issuer.jwks()
        self.stranger = make_issuer(issuer=ISSUER, audience=AUDIENCE)
        self.valid = self.issuer.sign({"sub": "user-1", "scope": "read"})
        self.admin = self.issuer.sign({"sub": "user-2", "scope": "read admin"})
        self.admin_scp = self.issuer.sign({"sub": "user-3", "scp": ["admin"]})
        self.expired = self.issuer.sign({"sub": "user-1"}, expiration_time="-1h")
        self.wrong_audience = self.issuer.sign({"sub": "user-1"}, audience="other-api-7f3e")
        self.unknown_key = self.stranger.sign({"sub": "user-1"})
        self.bad_signature = self.valid[:-6] + ("AAAAAA" if not self.valid.endswith("AAAAAA") else "BBBBBB")


def _challenge(*params: str) -> str:
    return "Bearer " + ", ".join([f'realm="{REALM}"', *params])


def invalid_token(description: str) -> str:
    return _challenge('error="invalid_token"', f'error_description="{description}"')


MALFORMED = _challenge(
    'error="invalid_request"', 'error_description="the Authorization header is not a single Bearer token"'
)
NO_SCOPE = _challenge(
    'error="insufficient_scope"', 'error_description="the token does not grant the required scope"', 'scope="admin"'
)


def cases(tokens: Tokens) -> List[Case]:
    bearer = lambda token: f"Bearer {token}"  # noqa: E731
    return [
        Case("no credentials", "/api/me", None, 401, _challenge()),
        Case("another scheme", "/api/me", "Basic dXNlcjpwYXNz", 400, MALFORMED),
        Case("Bearer without a token", "/api/me", "Bearer", 400, MALFORMED),
        Case("two tokens", "/api/me", "Bearer a b", 400, MALFORMED),
        Case("not a JWT", "/api/me", "Bearer not-a-jwt", 401, invalid_token("the token is malformed")),
        Case("bad signature", "/api/me", bearer(tokens.bad_signature), 401,
             invalid_token("the token's signature is invalid")),
        Case("expired", "/api/me", bearer(tokens.expired), 401, invalid_token("the token has expired")),
        Case("wrong audience", "/api/me", bearer(tokens.wrong_audience), 401,
             invalid_token('the token\'s \\"aud\\" claim is not accepted')),
        Case("unknown key", "/api/me", bearer(tokens.unknown_key), 401,
             invalid_token("the token is not signed by a known key")),
        Case("valid", "/api/me", bearer(tokens.valid), 200, None, sub="user-1"),
        Case("scheme in any case", "/api/me", f"bearer {tokens.valid}", 200, None, sub="user-1"),
        Case("scope missing", "/api/admin", bearer(tokens.valid), 403, NO_SCOPE),
        Case("scope granted", "/api/admin", bearer(tokens.admin), 200, None, sub="user-2"),
        Case("scope granted by scp", "/api/admin", bearer(tokens.admin_scp), 200, None, sub="user-3"),
        Case("scope route without credentials", "/api/admin", None, 401, _challenge()),
        Case("optional, anonymous", "/api/optional", None, 200, None, sub=None),
        Case("optional, with a token", "/api/optional", bearer(tokens.valid), 200, None, sub="user-1"),
        Case("optional, bad token", "/api/optional", bearer(tokens.expired), 401,
             invalid_token("the token has expired")),
        Case("JWKS unreachable", "/down/me", bearer(tokens.valid), 503, None),
    ]


def check_table(send: Send, tokens: Tokens, *, sub_of: Callable[[Any], Any] = lambda body: body["sub"]) -> int:
    """Sends every case; asserts status, WWW-Authenticate and that no answer echoes a token or a
    claim value. Returns how many cases ran."""
    failures: List[str] = []
    table = cases(tokens)
    for case in table:
        headers = {} if case.authorization is None else {"Authorization": case.authorization}
        answer = send(case.path, headers)
        got = (answer.status, answer.headers.get("www-authenticate"))
        if got != (case.status, case.www_authenticate):
            failures.append(f"{case.name}: got {got}, want {(case.status, case.www_authenticate)}; body {answer.body!r}")
            continue
        if case.status == 200:
            if sub_of(answer.body) != case.sub:
                failures.append(f"{case.name}: sub {sub_of(answer.body)!r}, want {case.sub!r}")
            continue
        text = json.dumps(answer.body) + json.dumps(answer.headers)
        token = (case.authorization or "").split(" ")[-1]
        leaked = [value for value in ("other-api-7f3e", token) if len(value) > 8 and value in text]
        if leaked:
            failures.append(f"{case.name}: the answer echoes {leaked}")
    assert not failures, "\n".join(failures)
    return len(table)


# --- real servers on 127.0.0.1 -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def dead_jwks_url() -> str:
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/api/auth/jwks"


class Server:
    """A real server process (uvicorn, gunicorn) started and stopped by the test."""

    def __init__(self, argv: Sequence[str], port: int, env: Mapping[str, str]) -> None:
        self.port = port
        # Output goes to a file (a pipe nobody reads could fill and stall the server).
        self.output = tempfile.TemporaryFile("w+")
        process = subprocess.Popen(
            list(argv), cwd=HERE, env={**os.environ, **env}, stdout=self.output, stderr=subprocess.STDOUT, text=True
        )
        self.process: Optional["subprocess.Popen[str]"] = process
        self.wait_listening(" ".join(argv))

    def wait_listening(self, what: str) -> None:
        deadline = time.monotonic() + 60
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{what} exited with {self.process.returncode}:\n{self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise AssertionError(f"{what} did not listen on {self.port} within 60 s")
                time.sleep(0.1)

    def logs(self) -> str:
        if self.process is None:
            return ""
        self.output.seek(0)
        return self.output.read()

    @classmethod
    def attach(cls, port: int) -> "Server":
        """A client of a server started some other way (it stays the caller's to stop)."""
        server = cls.__new__(cls)
        server.port, server.process = port, None
        server.wait_listening(f"the server on port {port}")
        return server

    def send(self, path: str, headers: Mapping[str, str]) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=dict(headers))
            response = conn.getresponse()
            raw = response.read()
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        finally:
            conn.close()

    def close(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.output.close()


def server_env(jwks_url: str, down_url: str) -> Dict[str, str]:
    return {"JWKS_URL": jwks_url, "DOWN_JWKS_URL": down_url, "PYTHONPATH": str(HERE.parent)}


def concurrent_gets(send: Send, token: str, count: int = 200) -> List[Tuple[int, Any]]:
    """``count`` requests in flight at once (one thread each), each with the token."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        answers = list(pool.map(lambda _: send("/api/me", {"Authorization": f"Bearer {token}"}), range(count)))
    return [(a.status, a.body) for a in answers]


BIN = Path(sys.executable).parent
