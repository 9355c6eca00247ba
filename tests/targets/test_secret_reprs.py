"""Credentials never show in what an adapter lets out: its repr/str, the repr and ``redacted()``
of every request it builds, and the errors it raises."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from synth import synthesize, synthesize_invalid
from targets import Response, TargetError, load_target
from targets.base import Target

SECRET = "s3cr3t-Zq8w"
USER = "anp-user-Xk2"
DEFINITIONS = {
    "reference": 'kind = "reference"\nname = "r"\nbase_url = "http://127.0.0.1:9"\n'
    'token_env = "ANP_T_TOKEN"\n',
    "wordpress": 'kind = "wordpress"\nname = "w"\nbase_url = "http://127.0.0.1:9"\n'
    'user_env = "ANP_T_USER"\npassword_env = "ANP_T_TOKEN"\n',
    "http": 'kind = "http"\nname = "h"\nbase_url = "http://127.0.0.1:9"\n[http]\n'
    'path = "/i/{reference}"\nrelease_path = "/v"\n[http.read]\npath = "/p/{reference}"\n'
    '[http.headers]\nX-Tenant = "t-${ANP_T_TOKEN}"\nAuthorization = "Bearer ${ANP_T_TOKEN}"\n',
}


def _target(tmp_path: Path, kind: str) -> Target:
    path = tmp_path / f"{kind}.toml"
    path.write_text(DEFINITIONS[kind], encoding="utf-8")
    return load_target(path, environ={"ANP_T_TOKEN": SECRET, "ANP_T_USER": USER})


@pytest.mark.parametrize("kind", sorted(DEFINITIONS))
def test_no_secret_in_reprs_requests_or_errors(tmp_path: Path, kind: str) -> None:
    target = _target(tmp_path, kind)
    basic = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
    post = synthesize(3)
    requests = [
        target.import_request(post),
        target.invalid_request(synthesize_invalid(3, "wrong_content_type")),
        target.read_request(post.meta.reference),
        target.release_request(),
        target.health_request(),
    ]
    if target.batch_limit:
        requests.append(target.batch_request([post, synthesize(4)]))
    # the secret does travel (so the checks below check something)
    assert any(SECRET in v or basic in v for r in requests for v in r.headers.values())
    shown = [repr(target), str(target)]
    shown += [repr(r) for r in requests] + [str(r.redacted()) for r in requests]
    try:
        target.release(Response(500, b'{"code":"x"}'))
    except TargetError as exc:
        shown.append(str(exc))
    text = "\n".join(shown)
    for secret in (SECRET, basic):
        assert secret not in text
    assert "***" in text
