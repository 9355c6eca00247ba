"""The harness's options, written once: flag, default and help (with an example).

Every parser that offers them reads this table:

- Locust's (``loadtests.options.register``, from ``init_command_line_parser``): all of them, so
  plain ``locust``, its web UI and its workers know them;
- ``anp run``'s (``loadtests.cli``): the ``forwarded`` ones under the same flag (it passes them on
  to the locustfile as given), plus ``--target`` and ``--run-id``; it writes the run folder with
  ``--out`` instead of ``--anp-out``;
- ``anp demo`` (``loadtests.demo``): the defaults of the forwarded ones.

Every value is text (Locust's web UI sends text too); ``loadtests.options.read_options`` checks it.
Importing this module imports nothing else, so registering ``anp run`` stays cheap.
"""

from __future__ import annotations

from typing import NamedTuple

DEFAULT_SEEDS = "0-999999"


class HarnessOption(NamedTuple):
    """One harness option."""

    flag: str
    default: str
    """The default, as text ("" for none)."""
    help: str
    """What it does, with an example value; ``help_text`` adds the default."""
    forwarded: bool = True
    """``anp run`` offers it under the same flag and passes it on as given."""

    @property
    def dest(self) -> str:
        """The attribute name in a parsed namespace: ``--max-seeds`` -> ``max_seeds``."""
        return self.flag[2:].replace("-", "_")

    def help_text(self) -> str:
        """``help`` ending with its default, unless it names one already."""
        if "default" in self.help:
            return self.help
        if not self.default:
            if self.help.startswith("check:"):
                return f"{self.help} (default: the definition's [checks], else not checked)"
            return self.help
        return f"{self.help} (default {self.default})"


HARNESS_OPTIONS: tuple[HarnessOption, ...] = (
    HarnessOption(
        "--target",
        "",
        "target definition file, e.g. targets/local-reference.toml (required)",
        forwarded=False,
    ),
    HarnessOption(
        "--scenario",
        "import",
        "scenario mix NAME[:WEIGHT],... of import, batch, reimport, invalid, read, "
        "e.g. import:3,invalid:1",
    ),
    HarnessOption(
        "--seeds", DEFAULT_SEEDS, "seed ranges for import/batch, e.g. 0-999999 or 1,3,10-20"
    ),
    HarnessOption(
        "--max-seeds",
        "",
        "stop after this many seeds were sent, e.g. 10000 (default: all of --seeds)",
    ),
    HarnessOption(
        "--load-model",
        "closed",
        "closed: users loop; open: a fixed arrival rate set by --arrival-rate",
    ),
    HarnessOption(
        "--arrival-rate",
        "",
        "open model: posts/s offered across all users and workers, required with open, e.g. 200",
    ),
    HarnessOption(
        "--shape",
        "steady",
        "load shape, bounded by --run-time: steady, ramp, step or spike; with --load-model "
        "open it shapes the arrival rate (all -u users stay)",
    ),
    HarnessOption(
        "--batch-size",
        "1",
        "posts per request of the batch scenario, 1 to the target's limit, e.g. 50",
    ),
    HarnessOption("--size", "", "payload size: s, m, l or xl (default: natural sizes)"),
    HarnessOption(
        "--synth-processes",
        "0",
        "helper processes per Locust process that synthesize import posts ahead "
        "(0: a thread of the Locust process builds them), e.g. 1; rarely needed: the "
        "thread already takes synthesis off the Locust loop",
    ),
    HarnessOption(
        "--request-timeout",
        "",
        "seconds to wait for each response, e.g. 10, 2.5 or 1m (default: the target "
        "definition's [timeouts] read_s, else 30)",
    ),
    HarnessOption(
        "--verify-timeout",
        "10m",
        "longest time reading the posts back may take after the load, e.g. 30m or 1h; past "
        "it the posts read so far are counted and the verification is incomplete (exit 3)",
    ),
    HarnessOption(
        "--warmup",
        "0",
        "leading seconds left out of the throughput, error-ratio and latency checks, e.g. 5s",
    ),
    HarnessOption(
        "--max-error-ratio", "", "check: failed/all requests at most this, from 0 to 1, e.g. 0.01"
    ),
    HarnessOption(
        "--max-p50-ms",
        "",
        "check: median latency at most this many ms, all scenarios' requests merged, e.g. 50",
    ),
    HarnessOption(
        "--max-p95-ms",
        "",
        "check: p95 latency at most this many ms, all scenarios' requests merged, e.g. 250",
    ),
    HarnessOption(
        "--max-p99-ms",
        "",
        "check: p99 latency at most this many ms, all scenarios' requests merged, e.g. 500",
    ),
    HarnessOption("--min-throughput", "", "check: successful requests/s at least this, e.g. 500"),
    HarnessOption(
        "--max-missing", "", "check: acknowledged posts missing on the target at most this, e.g. 0"
    ),
    HarnessOption(
        "--max-corrupted", "", "check: landed posts differing from synth at most this, e.g. 0"
    ),
    HarnessOption(
        "--anp-out",
        "",
        "folder for measurements, run.json and Locust's CSV/HTML, e.g. results/runs/nightly "
        "(default: results/runs/<run-id>)",
        forwarded=False,
    ),
    HarnessOption(
        "--run-id",
        "",
        "run id, e.g. nightly-42 (default: UTC time plus a random suffix)",
        forwarded=False,
    ),
)
"""Every harness option taking a value, in the order the help lists them."""

FORWARDED: tuple[HarnessOption, ...] = tuple(o for o in HARNESS_OPTIONS if o.forwarded)
"""The options ``anp run`` passes on to the locustfile under the same flag."""

VERIFY_HELP = (
    "read back every acknowledged post after the load; --no-verify skips it (default: yes)"
)
"""The help of ``--verify`` / ``--no-verify`` (a switch, so not in the table)."""


def option(flag: str) -> HarnessOption:
    """The table's row for ``flag``."""
    for row in HARNESS_OPTIONS:
        if row.flag == flag:
            return row
    raise KeyError(flag)
