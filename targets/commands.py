"""``anp target check FILE``: load a target definition, print the resolved target without any
secret value, then ask the site for its health and release.

Plugged into ``anp target`` through ``targets.cli.TARGET_COMMAND_MODULES`` (``register_target``).
Exit codes: 0 the site answers, 2 the definition is wrong (``DefinitionError`` names the file, the
key or the variable), 3 the site is unreachable, unhealthy or refuses the credentials.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from targets.adapters.common import error_code, json_body
from targets.base import TargetError
from targets.cli import CliError

if TYPE_CHECKING:
    from targets.base import Response, Target
    from targets.definitions import TargetDefinition

CHECK_EPILOG = """\
examples:
  anp target check targets/local-reference.toml
  ANP_TOKEN=s3cret anp target check my-site.toml
  anp target check --offline my-site.yaml       validate and show only (CI, no site running)
  anp target check --offline targets/*.toml     every shipped definition; exit code the worst
  anp target check --format json targets/local-reference.toml     one JSON object, for scripts

It loads the definition (credentials from the environment or the definition's env_file), prints
the resolved target without any secret value, then asks the site for its health and release.
Definitions are TOML, or YAML when the file ends in .yaml/.yml; the keys are in targets/README.md.
exit codes: 0 the site answers (--offline: the definition is valid), 2 the definition is wrong
(file, key, value and what was expected named), 3 the site is unreachable, unhealthy or refuses
the credentials (nothing was imported).
"""


START_HINTS = {
    "reference": "Start the site (anp target serve reference --port PORT, matching the url above)",
    "wordpress": "Start the WordPress site (targets/wordpress/up.sh; see targets/README.md)",
    "http": "Start the site at the url above",
}
"""What to do when a target of each kind does not answer its health check."""


PLUGIN_HINT = (
    "WordPress answers but the anp-loadtest must-use plugin is missing: install "
    "targets/wordpress/anp-loadtest.php in wp-content/mu-plugins (targets/wordpress/up.sh does)"
)
"""What to do when WordPress has no route for the plugin's info endpoint."""


class TargetUnreachable(RuntimeError):
    """The site did not answer as expected (exit code 3)."""

    exit_code = 3


def _refused(target: Target, where: str, response: Response) -> None:
    """Raise TargetUnreachable when the site refused the credentials (401 or 403), naming the
    site's own error code (WordPress: ``incorrect_password``, ``invalid_username``)."""
    if response.status not in (401, 403):
        return
    code = error_code(json_body(response))
    raise TargetUnreachable(
        f"target {target.name!r}: {where} answered HTTP {response.status}"
        + (f" {code}" if code else "")
        + ": the site refuses the credentials; check the variables named under 'auth' above "
        "and retry"
    )


def register_target(target_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = target_sub.add_parser(
        "check",
        help="load a target definition, show it (no secrets) and contact the site",
        description="Load a target definition file, print the resolved target (no secret\n"
        "values) and ask the site for its health and release.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="target definition file (targets/*.toml, *.yaml); several are checked one after "
        "another and the exit code is the worst",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds to wait for each answer (default 5)",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="only load, validate and show the definition; send nothing (credential variables "
        "may be unset: they are listed)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: one object with every file's result and the exit code "
        "(errors included, nothing on standard error)",
    )
    p.set_defaults(func=_check)


def _variable(name: str | None, unset: frozenset[str] = frozenset()) -> str:
    if not name:
        return ""
    if name in unset:
        return f"${name} (not set)"
    return f"${name} ({'set' if os.environ.get(name) else 'from env_file'})"


def credential_variables(definition: TargetDefinition) -> list[str]:
    """The names of the variables holding the definition's credentials, in file order."""
    from targets.definitions import VARIABLE_REFERENCE

    names = [definition.token_env, definition.user_env, definition.password_env]
    if definition.http is not None:
        for template in definition.http.headers.values():
            names.extend(VARIABLE_REFERENCE.findall(template))
    return [n for n in dict.fromkeys(names) if n]


def _url_source(variable: str | None, base_url: str) -> str:
    if variable and os.environ.get(variable):
        return f" (from ${variable}; the file says {base_url})"
    return ""


def _sensitive(target: Target) -> frozenset[str]:
    """Lower-case names of the target's headers whose values must not be shown."""
    from targets.base import is_secret_header

    request = target.health_request()
    return frozenset(
        n.lower() for n in request.headers if is_secret_header(n) or n.lower() in request.sensitive
    )


def load_checked(
    file: Path, *, offline: bool = False
) -> tuple[TargetDefinition, Target, frozenset[str]]:
    """The definition in ``file``, its adapter and the credential variables left unset (only
    ``offline`` tolerates those: a CI job validating files has no secrets); the file is read and
    parsed once. Raises DefinitionError (exit 2) naming the file, the key or the variable."""
    from targets.adapters.registry import build_target
    from targets.definition_env import Environment
    from targets.definitions import load_definition

    definition = load_definition(file)
    unset: frozenset[str] = frozenset()
    environ = None
    if offline:
        env = Environment(definition, file)
        unset = frozenset(n for n in credential_variables(definition) if not env.get(n))
        environ = {**os.environ, **dict.fromkeys(unset, "unset")}
    # resolves base_url_env and the credentials (errors name them)
    return definition, build_target(definition, file, environ), unset


def describe_definition(
    file: Path, definition: TargetDefinition, target: Target, unset: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The resolved target (``load_checked(file)``) as (label, value) rows. Secret values are
    never shown, only the names of the variables that hold them."""
    auth = "none"
    if definition.token_env:
        auth = f"bearer token from {_variable(definition.token_env, unset)}"
    elif definition.user_env and definition.password_env:
        auth = (
            f"user from {_variable(definition.user_env, unset)}, "
            f"application password from {_variable(definition.password_env, unset)}"
        )
    elif definition.http is not None and definition.http.headers:
        secret = sorted(n for n in definition.http.headers if n.lower() in _sensitive(target))
        auth = "http headers " + ", ".join(secret) + " (values hidden)" if secret else "none"
    checks = definition.checks.model_dump(exclude_none=True)
    rows = [
        ("target", f"{target.name} ({definition.kind})"),
        ("file", str(file)),
        ("url", target.base_url + _url_source(definition.base_url_env, definition.base_url)),
        ("auth", auth),
        (
            "timeouts",
            f"connect {definition.timeouts.connect_s:g} s, read {definition.timeouts.read_s:g} s",
        ),
        (
            "batch",
            f"up to {target.batch_limit} posts per request"
            if target.batch_limit > 0
            else "no batch endpoint (the batch scenario is not available)",
        ),
        ("checks", ", ".join(f"{k} = {v:g}" for k, v in checks.items()) or "none"),
    ]
    if definition.http is not None:
        spec = definition.http
        body = "canonical JSON" if spec.mode == "canonical" else "mapped by [http.body]"
        plain = sorted(n for n in spec.headers if n.lower() not in _sensitive(target))
        rows.append(("import", f"{spec.method} {spec.path}, body {body}"))
        if plain:
            rows.append(("headers", ", ".join(f"{n}: {spec.headers[n]}" for n in plain)))
        rows.append(
            (
                "read",
                f"GET {spec.read.path} (compare {spec.read.compare})"
                if spec.read
                else "no [http.read]: verification cannot read posts back",
            )
        )
    if definition.allow_non_loopback:
        rows.append(("network", "allow_non_loopback = true: the site may be on another host"))
    return rows


def _check(args: argparse.Namespace) -> int:
    if not (args.timeout > 0 and args.timeout <= 600):
        raise CliError(
            f"--timeout {args.timeout}: expected seconds in (0, 600]; retrying with the same "
            "value will fail again"
        )
    if args.format == "json":
        return _check_json(args.files, args.timeout, offline=args.offline)
    if len(args.files) == 1:  # errors go to anp's root handler: "anp: error: ...", its code
        return check_one(args.files[0], args.timeout, offline=args.offline)
    worst = 0
    for index, file in enumerate(args.files):
        if index:
            print(flush=True)
        try:
            code = check_one(file, args.timeout, offline=args.offline)
        except (TargetError, TargetUnreachable) as exc:
            sys.stdout.flush()
            print(f"anp: error: {exc}", file=sys.stderr, flush=True)
            code = exc.exit_code
        worst = max(worst, code)
    return worst


def check_one(file: Path, timeout: float, *, offline: bool = False) -> int:
    """Check one definition file (and its site, unless ``offline``); 0 or an exception with an
    ``exit_code`` (DefinitionError 2, TargetUnreachable 3). Prints the definition before the
    site is contacted, so a site that does not answer still shows what was checked."""
    definition, target, unset = load_checked(file, offline=offline)
    for label, value in describe_definition(file, definition, target, unset):
        print(f"{label:<9}{value}", flush=True)
    if offline:
        later = f"; set {', '.join(sorted(unset))} before a run" if unset else ""
        print(f"OK: {file} is a valid definition (--offline: the site was not contacted{later})")
        return 0
    contact = contact_site(target, definition.kind, timeout)
    print(
        f"{'health':<9}{contact.health_where} -> {contact.health_status} "
        f"({contact.health_ms:.1f} ms)"
    )
    known = contact.release is not None
    print(f"{'release':<9}{contact.release if known else f'unknown ({contact.release_note})'}")
    print(f"OK: target {target.name!r} answers at {target.base_url}")
    return 0


@dataclass(frozen=True)
class Contact:
    """What the site answered: its health check, and its release when it said one."""

    health_where: str
    health_status: int
    health_ms: float
    release: str | None
    release_note: str | None
    """Why the release is unknown (None when it is known)."""


def contact_site(target: Target, kind: str, timeout: float) -> Contact:
    """Ask the site for its health and release; TargetUnreachable (exit 3) when it does not
    answer its health check with a 2xx or refuses the credentials."""
    from targets.transport import Sender, Timeouts

    timeouts = Timeouts(connect_s=timeout, read_s=timeout)
    with Sender(target.base_url, timeouts) as sender:
        request = target.health_request()
        health = sender.send(request)
        health_where = f"{request.method} {target.base_url}{request.path}"
        _refused(target, health_where, health)
        if health.status == 0 or not 200 <= health.status < 300:
            why = health.error or f"HTTP {health.status}"
            code = error_code(json_body(health))
            hint = START_HINTS.get(kind, START_HINTS["http"])
            if kind == "wordpress" and code == "rest_no_route":
                why, hint = f"{why} {code}", PLUGIN_HINT
            raise TargetUnreachable(
                f"target {target.name!r}: {health_where} failed ({why}); expected a 2xx answer. "
                f"{hint}, then retry: nothing was sent but this check"
            )
        request = target.release_request()
        answer = sender.send(request)
    where = f"{request.method} {target.base_url}{request.path}"
    _refused(target, where, answer)
    release: str | None = None
    note: str | None = None
    if answer.status == 200:
        try:
            release = str(target.release(answer))
        except TargetError as exc:  # a site without a readable version still works
            note = f"{where}: {exc}"
    else:
        note = f"{where} -> {answer.error or f'HTTP {answer.status}'}"
    return Contact(health_where, health.status, health.elapsed_ms, release, note)


def _check_json(files: list[Path], timeout: float, *, offline: bool) -> int:
    """``--format json``: every file's result in one object on standard output."""
    results = [check_as_json(file, timeout, offline=offline) for file in files]
    worst = max(int(r["exit_code"]) for r in results)
    print(json.dumps({"exit_code": worst, "targets": results}, indent=2, sort_keys=True))
    return worst


def check_as_json(file: Path, timeout: float, *, offline: bool = False) -> dict[str, Any]:
    """One file's check as a JSON-ready dict: ``ok``, ``exit_code`` and ``error`` always; the
    resolved definition (no secret value, as the text shows it) once it loaded; ``health`` and
    ``release`` once the site answered."""
    out: dict[str, Any] = {"file": str(file), "offline": offline}
    try:
        definition, target, unset = load_checked(file, offline=offline)
        out.update(
            name=target.name,
            kind=definition.kind,
            url=target.base_url,
            definition=dict(describe_definition(file, definition, target, unset)),
            unset_variables=sorted(unset),
        )
        if not offline:
            contact = contact_site(target, definition.kind, timeout)
            out["health"] = {
                "request": contact.health_where,
                "status": contact.health_status,
                "elapsed_ms": round(contact.health_ms, 1),
            }
            out["release"] = contact.release
            out["release_note"] = contact.release_note
    except (TargetError, TargetUnreachable) as exc:
        return {**out, "ok": False, "exit_code": exc.exit_code, "error": str(exc)}
    return {**out, "ok": True, "exit_code": 0, "error": None}
