"""The harness's own Locust options, and their validation.

``register(parser)`` adds them (flags, defaults and help from ``loadtests.option_table``, the one
table ``anp run`` reads too) to Locust's parser from the ``init_command_line_parser`` event, so
they appear in the web UI's start form and reach workers (Locust forwards every non-default option
of the master to its workers with each spawn message). ``python loadtests/locustfile.py --help``
lists them; Locust's own ``--help`` is printed before the locustfile is imported, so it cannot.

Every option arrives as text (the web UI sends text too) and ``read_options`` turns the parsed
namespace into a checked, immutable ``RunOptions``. A bad value raises ``OptionError`` (exit code
2) naming the option, the value given and what was expected; retrying with the same value will
fail again.
"""

from __future__ import annotations

import argparse
import re
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from loadtests.measurements import CheckSpec
from loadtests.option_table import DEFAULT_SEEDS, HARNESS_OPTIONS, VERIFY_HELP, option
from synth import SeedRangeError, SeedRanges, count_seeds, parse_seed_ranges

SCENARIOS: tuple[str, ...] = ("import", "batch", "reimport", "invalid", "read")
"""Every scenario, in the order used for display and for records."""
SEEDED_SCENARIOS = frozenset({"import", "batch"})
"""Scenarios that consume seeds from ``--seeds`` (each seed is sent once)."""
SHAPES: tuple[str, ...] = ("steady", "ramp", "step", "spike")
LOAD_MODELS: tuple[str, ...] = ("closed", "open")
SIZES: tuple[str, ...] = ("s", "m", "l", "xl")
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_OUT_ROOT = Path("results/runs")

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s?)?$")


class OptionError(ValueError):
    """A harness option has a bad value (a user mistake: exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class RunOptions:
    """The harness options of one run, checked."""

    target: str
    """Path of the target definition file (``targets/*.toml``)."""
    seeds: SeedRanges
    """Seeds offered to the import scenarios, in ascending order."""
    seeds_text: str
    """``seeds`` as the user wrote it (normalised), e.g. ``0-999999``."""
    batch_size: int = 1
    """Posts per request of the ``batch`` scenario."""
    size: str | None = None
    """Payload size (s, m, l, xl) or None for synth's natural sizes."""
    scenarios: dict[str, int] = field(default_factory=lambda: {"import": 1})
    """Scenario -> weight (> 0), in ``SCENARIOS`` order."""
    load_model: str = "closed"
    arrival_rate: float | None = None
    """Posts/s offered across all users and workers (open model only)."""
    shape: str = "steady"
    max_seeds: int | None = None
    """Stop after this many seeds were handed out (a bound on the run); None: all of ``seeds``."""
    request_timeout: float = DEFAULT_TIMEOUT_S
    """Seconds to wait for a response (also bounds the connect)."""
    request_timeout_given: bool = False
    """``--request-timeout`` was given; otherwise the target definition's ``read_s`` applies."""
    warmup: float = 0.0
    """Leading seconds left out of the throughput, error-ratio and latency checks."""
    checks: CheckSpec = field(default_factory=CheckSpec)
    out_dir: Path | None = None
    """Where measurements, the record and Locust's CSV/HTML go; None: ``results/runs/<run_id>``."""
    verify: bool = True
    verify_timeout: float = 600.0
    """Seconds the read-back after the load may take (``loadtests.verify.verify_posts``)."""
    run_id: str = ""
    synth_processes: int = 0
    """Helper processes that synthesize the import scenario's posts ahead (0: in line)."""

    @property
    def seeded(self) -> bool:
        """Whether some scenario consumes seeds (then the seeds bound the run)."""
        return any(s in SEEDED_SCENARIOS for s in self.scenarios)

    @property
    def seed_budget(self) -> int:
        """How many seeds the import scenarios may use in total."""
        total = count_seeds(self.seeds)
        return total if self.max_seeds is None else min(total, self.max_seeds)

    def resolved_out_dir(self) -> Path:
        return self.out_dir if self.out_dir is not None else DEFAULT_OUT_ROOT / self.run_id


def register(parser: Any) -> None:
    """Add the harness options (``loadtests.option_table``) to Locust's (configargparse) parser."""
    group = parser.add_argument_group("anp-loadkit", "Options of the anp load-testing harness")
    actions = [
        group.add_argument(row.flag, type=str, default=row.default, help=_sentence(row.help_text()))
        for row in HARNESS_OPTIONS
    ]
    actions.append(
        group.add_argument(
            "--verify",
            action=argparse.BooleanOptionalAction,
            default=True,
            help=_sentence(VERIFY_HELP),
        )
    )
    for action in actions:
        # Locust's web UI shows the options its parser's own add_argument marked; a group's
        # add_argument is argparse's and marks nothing (the form would then lack them all)
        action.include_in_web_ui = True
        action.is_secret = False
        action.is_required = False
        action.is_multiple = False


def _sentence(text: str) -> str:
    """Help in Locust's style: a capital first letter and a full stop."""
    return f"{text[:1].upper()}{text[1:]}."


def with_target_timeout(options: RunOptions, target: Any) -> RunOptions:
    """Use the target definition's read timeout unless ``--request-timeout`` was given."""
    read_s = getattr(getattr(target, "timeouts", None), "read_s", None)
    if options.request_timeout_given or not read_s:
        return options
    return replace(options, request_timeout=float(read_s))


def new_run_id(now: float | None = None) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(3)}"


def _fail(flag: str, value: object, expected: str) -> OptionError:
    return OptionError(
        f"{flag}: got {value!r}; expected {expected} (a usage error: retrying with the same "
        "value will fail again)"
    )


def _missing(flag: str, expected: str) -> OptionError:
    return OptionError(
        f"{flag}: missing; expected {expected} (a usage error: retrying without it will fail again)"
    )


def parse_duration(flag: str, text: str) -> float:
    """``30``, ``2.5``, ``45s``, ``2m``, ``1h30m``, ``1m30s`` -> seconds."""
    raw = text.strip()
    match = _DURATION.match(raw) if raw else None
    if match is None or not any(match.groups()):
        raise _fail(flag, text, "a duration such as 30, 2.5, 45s, 2m or 1h30m")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def parse_scenarios(text: str) -> dict[str, int]:
    """``import:3,invalid:1`` -> ``{"import": 3, "invalid": 1}`` (weight defaults to 1)."""
    expected = f"NAME[:WEIGHT],... with NAME in {', '.join(SCENARIOS)} and WEIGHT an integer >= 1"
    found: dict[str, int] = {}
    for part in text.split(","):
        item = part.strip()
        name, sep, weight_text = item.partition(":")
        name = name.strip()
        if name not in SCENARIOS or name in found:
            raise _fail("--scenario", text, expected + " (each name once)")
        weight = 1
        if sep:
            if not weight_text.strip().isdigit() or int(weight_text) < 1:
                raise _fail("--scenario", text, expected)
            weight = int(weight_text)
        found[name] = weight
    return {name: found[name] for name in SCENARIOS if name in found}


def _float(text: str) -> float:
    """``text`` as a float; nan (which every range check refuses) when it is no number."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _number(flag: str, text: str, *, low: float, high: float | None = None) -> float | None:
    if not text.strip():
        return None
    value = _float(text)
    if not (value >= low and (high is None or value <= high)):
        upper = "" if high is None else f" and <= {high:g}"
        raise _fail(flag, text, f"a number >= {low:g}{upper}")
    return value


def _latency_limit(flag: str, text: str) -> float | None:
    """A latency check's limit: milliseconds > 0, as the target definition's ``[checks]``
    requires (no latency is 0 ms or less, so such a check could never pass)."""
    if not text.strip():
        return None
    value = _float(text)
    if not value > 0:
        raise _fail(flag, text, "a number of milliseconds > 0, e.g. 250")
    return value


def _integer(flag: str, text: str, *, low: int) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or int(text) < low:
        raise _fail(flag, text, f"an integer >= {low}")
    return int(text)


def _text(ns: argparse.Namespace, dest: str) -> str:
    value = getattr(ns, dest, "")
    return "" if value is None else str(value)


def read_options(ns: argparse.Namespace) -> RunOptions:
    """Check the harness options of a parsed Locust namespace."""
    target = _text(ns, "target").strip()
    if not target:
        raise _missing(
            "--target", "the path of a target definition, e.g. targets/local-reference.toml"
        )
    seeds_text = _text(ns, "seeds").strip() or DEFAULT_SEEDS
    try:
        seeds = parse_seed_ranges(seeds_text)
    except SeedRangeError as exc:
        raise OptionError(
            f"--seeds: {exc} (a usage error: retrying with the same value will fail again)"
        ) from None
    scenario_text = _text(ns, "scenario") or "import"
    scenarios = parse_scenarios(scenario_text)
    seeded = any(name in SEEDED_SCENARIOS for name in scenarios)
    readers = [name for name in ("reimport", "read") if name in scenarios]
    if readers and not seeded:
        raise _fail(
            "--scenario",
            scenario_text,
            f"a mix with import or batch too ({' and '.join(readers)} only "
            f"{'sends' if len(readers) == 1 else 'send'} posts this run had acknowledged, "
            "e.g. import:3,read:1)",
        )
    batch_size = _integer("--batch-size", _text(ns, "batch_size") or "1", low=1) or 1
    size = _text(ns, "size").strip() or None
    if size is not None and size not in SIZES:
        raise _fail("--size", size, f"one of {', '.join(SIZES)} (or empty for natural sizes)")
    load_model = _text(ns, "load_model").strip() or "closed"
    if load_model not in LOAD_MODELS:
        raise _fail("--load-model", load_model, "closed or open")
    arrival_rate = _number("--arrival-rate", _text(ns, "arrival_rate"), low=0.001)
    if load_model == "open" and arrival_rate is None:
        raise _missing(
            "--arrival-rate", "posts/s > 0 when --load-model open (e.g. --arrival-rate 200)"
        )
    if load_model == "closed" and arrival_rate is not None:
        raise _fail(
            "--arrival-rate", _text(ns, "arrival_rate"), "no value unless --load-model open"
        )
    shape = _text(ns, "shape").strip() or "steady"
    if shape not in SHAPES:
        raise _fail("--shape", shape, f"one of {', '.join(SHAPES)}")
    max_seeds = _integer("--max-seeds", _text(ns, "max_seeds"), low=1)
    if max_seeds is not None and not seeded:
        raise _fail(
            "--max-seeds",
            _text(ns, "max_seeds"),
            "no value unless the scenario mix has import or batch (the scenarios that use seeds)",
        )
    timeout_text = _text(ns, "request_timeout").strip()
    timeout = parse_duration("--request-timeout", timeout_text or str(DEFAULT_TIMEOUT_S))
    if timeout <= 0:
        raise _fail("--request-timeout", _text(ns, "request_timeout"), "a duration > 0")
    warmup = parse_duration("--warmup", _text(ns, "warmup") or "0")
    verify_timeout_text = _text(ns, "verify_timeout") or option("--verify-timeout").default
    verify_timeout = parse_duration("--verify-timeout", verify_timeout_text)
    if verify_timeout <= 0:
        raise _fail("--verify-timeout", _text(ns, "verify_timeout"), "a duration > 0")
    checks = CheckSpec(
        max_error_ratio=_number("--max-error-ratio", _text(ns, "max_error_ratio"), low=0, high=1),
        max_p50_ms=_latency_limit("--max-p50-ms", _text(ns, "max_p50_ms")),
        max_p95_ms=_latency_limit("--max-p95-ms", _text(ns, "max_p95_ms")),
        max_p99_ms=_latency_limit("--max-p99-ms", _text(ns, "max_p99_ms")),
        min_throughput=_number("--min-throughput", _text(ns, "min_throughput"), low=0),
        max_missing=_integer("--max-missing", _text(ns, "max_missing"), low=0),
        max_corrupted=_integer("--max-corrupted", _text(ns, "max_corrupted"), low=0),
    )
    synth_processes = _integer("--synth-processes", _text(ns, "synth_processes") or "0", low=0)
    if synth_processes and "import" not in scenarios:
        raise _fail(
            "--synth-processes",
            _text(ns, "synth_processes"),
            "0 unless the scenario mix has import (the helpers build the import scenario's posts)",
        )
    out_text = _text(ns, "anp_out").strip()
    run_id = _text(ns, "run_id").strip()
    if run_id and not _RUN_ID.match(run_id):
        raise _fail(
            "--run-id", run_id, "1-100 characters of A-Z a-z 0-9 . _ - (not starting with . _ or -)"
        )
    return RunOptions(
        target=target,
        seeds=seeds,
        seeds_text=seeds_text,
        batch_size=batch_size,
        size=size,
        scenarios=scenarios,
        load_model=load_model,
        arrival_rate=arrival_rate,
        shape=shape,
        max_seeds=max_seeds,
        request_timeout=timeout,
        request_timeout_given=bool(timeout_text),
        warmup=warmup,
        checks=checks,
        out_dir=Path(out_text) if out_text else None,
        verify=bool(getattr(ns, "verify", True)),
        verify_timeout=verify_timeout,
        run_id=run_id or new_run_id(),
        synth_processes=synth_processes or 0,
    )
