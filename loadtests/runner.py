"""``anp run``: check the options and the target, run Locust headless in a child process, show
progress, and print the run's summary.

The child is ``python -m loadtests.locust_child -f loadtests/locustfile.py --headless ...``
(Locust's own main; see ``loadtests.locust_child``): the same locustfile a user can run by hand. At quit it writes ``measurements.json`` and ``run.json`` into the run folder
(``loadtests.finalize``). This wrapper:

- refuses bad options (exit 2) and an unreachable target (exit 3) before anything starts;
- creates ``<out>/<run-id>/``, never reusing an existing folder;
- forwards Ctrl-C and SIGTERM to the child as SIGINT, which Locust handles like a Ctrl-C of its
  own: the harness drains the requests in flight, writes Locust's CSV files and HTML report
  (``loadtests.locust_outputs``) and a partial record marked ``interrupted``. Once the load has
  ended (``measurements.json`` written) the signal stops the read-back instead
  (``loadtests.locust_child``): the record is written at once with its verification marked
  incomplete, not ``interrupted`` (the load was whole), and ``anp verify`` can finish it. A
  second signal kills the child;
- kills the child by PID if it overruns its bound: the run time plus a grace period, extended
  once the load has ended by verification's own bound;
- finalizes the run itself from ``measurements.json`` if the child died before writing the
  record: without reading anything back when the child was stopped or killed by a signal or
  its bound (``anp verify`` does that later), else with a verification of its own. Signals are
  still caught meanwhile (they stop that verification), so a run folder with
  ``measurements.json`` always gets its ``run.json``;
- returns the record's exit code: 0 pass, 1 a check failed, 3 a harness or target failure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from loadtests import verify_stop
from loadtests.progress import Progress
from loadtests.verify import VERIFY_DEADLINE_S
from results import RunRecord

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = REPO_ROOT / "loadtests" / "locustfile.py"
STOP_GRACE_S = 20.0
"""Seconds the child gets to write its record after a stop signal before it is killed."""


class RunError(Exception):
    """A run could not start or finish (``exit_code`` 2 usage, 3 harness or target)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class LocustPlan:
    """Everything needed to start the child."""

    argv: list[str]
    run_dir: Path
    run_time_s: float
    grace_s: float
    """How long past ``run_time_s`` the child may take (verification, report writing)."""
    target_path: str
    notes: tuple[str, ...] = ()
    """Warnings found while planning (e.g. the seeds are already stored), shown before the load
    and again after the summary."""
    verify_timeout_s: float = VERIFY_DEADLINE_S
    """The bound of the read-back after the load (``--verify-timeout``): the child gets that
    long, plus a minute for the record, once the load is over."""


def bound_grace(run_time_s: float) -> float:
    """Time allowed past the run time for spawning, draining and reports (verification gets its
    own bound once the load has ended)."""
    return 60.0 + run_time_s * 0.5


def _out_error(out_root: Path, why: str) -> RunError:
    return RunError(
        f"--out: got '{out_root}'; expected a folder for run folders ({why}) (a usage error: "
        "retrying with the same value will fail again; nothing was written)",
        2,
    )


def _run_dir_taken(run_dir: Path) -> RunError:
    return RunError(
        f"--run-id: the run folder {run_dir} already exists; expected a new run id "
        "(earlier results are never overwritten)",
        2,
    )


def check_out_root(out_root: Path, run_id: str | None = None) -> None:
    """Refuse a ``--out`` that cannot hold run folders, before anything starts (RunError 2):
    an existing file, a path through a file, or a folder that cannot be written; and an existing
    ``out_root/run_id``. Nothing is created here."""
    if run_id is not None and (out_root / run_id).exists():
        raise _run_dir_taken(out_root / run_id)
    if out_root.exists() and not out_root.is_dir():
        raise _out_error(out_root, "it is a file, not a folder")
    existing = out_root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise _out_error(out_root, f"'{existing}' is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _out_error(out_root, f"the folder '{existing}' is not writable")


def prepare_run_dir(out_root: Path, run_id: str) -> Path:
    """Create ``out_root/run_id``; an existing folder is never reused (exit 2), and a ``--out``
    that cannot hold it is refused naming the option (exit 2)."""
    check_out_root(out_root)
    run_dir = out_root / run_id
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        run_dir.mkdir()
    except FileExistsError:
        if run_dir.exists():
            raise _run_dir_taken(run_dir) from None
        raise _out_error(out_root, "a part of it is a file, not a folder") from None
    except OSError as exc:
        raise _out_error(out_root, f"cannot create {run_dir}: {exc.strerror or exc}") from None
    return run_dir


def load_definition(target_path: str) -> Any:
    """The target adapter of a definition file (no network): DefinitionError 2 on a bad file."""
    from targets import load_target

    return load_target(target_path)


def check_reachable(
    target_path: str, timeout_s: float = 5.0, *, target: Any = None
) -> tuple[str, str | None, int]:
    """Ask the target for its health and release before the load; (base URL, release, the
    adapter's batch limit). ``target``: the adapter already loaded from ``target_path``.

    Raises RunError 3 naming the URL and what failed when it does not answer.
    """
    from loadtests.reachability import health_failure
    from targets.transport import Sender, Timeouts

    if target is None:
        target = load_definition(target_path)
    failure = health_failure(target, timeout_s)
    if failure is not None:
        raise RunError(failure, 3)
    with Sender(target.base_url, Timeouts(connect_s=timeout_s, read_s=timeout_s)) as sender:
        release_response = sender.send(target.release_request())
    release: str | None = None
    if release_response.status == 200:
        try:
            release = target.release(release_response)
        except Exception:  # a site without a readable version still runs
            release = None
    return target.base_url, release, int(target.batch_limit)


@dataclass
class ChildEnd:
    """How the child ended, as the wrapper saw it."""

    code: int = 0
    signals: int = 0
    """Ctrl-C / SIGTERM received by the wrapper (while the child ran, and after)."""
    signalled_after_load: bool = False
    """The first signal came once the load had ended (``measurements.json`` written): it
    stopped the read-back, not the load."""
    overran: bool = False
    """Killed (SIGTERM, then SIGKILL) for overrunning its bound."""
    overran_after_load: bool = False

    @property
    def load_cut(self) -> bool:
        """The load itself was cut short by a signal or the bound."""
        return bool(self.signals and not self.signalled_after_load) or (
            self.overran and not self.overran_after_load
        )

    @property
    def stopped(self) -> bool:
        """A signal or the bound ended the child, whatever it was doing."""
        return bool(self.signals) or self.overran


def _forward(child: subprocess.Popen[bytes], end: ChildEnd, measurements: Path) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        end.signals += 1
        if end.signals == 1:
            end.signalled_after_load = measurements.exists()
        if child.poll() is not None:
            verify_stop.request_stop()  # the wrapper's own read-back, if it is making one
            return
        if end.signals == 1:
            # SIGINT: the child stops as on a Ctrl-C of its own
            child.send_signal(signal.SIGINT)
        else:
            child.kill()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run_locust(plan: LocustPlan, end: ChildEnd, *, show_progress: bool = True) -> ChildEnd:
    """Run the child to its end, forwarding signals (the handlers stay installed: the caller
    restores the previous ones); ``end`` is filled in and returned."""
    log_path = plan.run_dir / "locust.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            plan.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=REPO_ROOT,
            env=env,
            start_new_session=True,  # Ctrl-C reaches the child only through us, once
        )
        measurements = plan.run_dir / "measurements.json"
        _forward(child, end, measurements)
        deadline = time.monotonic() + plan.run_time_s + plan.grace_s
        verifying = False
        progress = Progress(plan.run_dir, plan.run_time_s, enabled=show_progress)
        try:
            with progress:
                while child.poll() is None:
                    progress.update()
                    if not verifying and not end.overran and measurements.exists():
                        # the load is over; verification has its own bound
                        verifying = True
                        deadline = max(deadline, time.monotonic() + plan.verify_timeout_s + 60)
                    if time.monotonic() > deadline and not end.overran:
                        end.overran = True
                        end.overran_after_load = verifying
                        child.send_signal(signal.SIGTERM)
                        deadline = time.monotonic() + STOP_GRACE_S
                    elif end.overran and time.monotonic() > deadline:
                        child.kill()
                        break
                    time.sleep(0.25)
            end.code = child.wait(timeout=STOP_GRACE_S)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    return end


def collect_record(plan: LocustPlan, end: ChildEnd) -> tuple[RunRecord, int]:
    """The run's record and exit code once the child is gone.

    When the child wrote its record, its artifact list is refreshed (``locust.log`` and Locust's
    history file are still written after it), and it is marked interrupted when the load was cut
    short. When the child died first but left ``measurements.json``, the run is finalized here:
    with nothing read back when a signal or the bound ended the child (quick, no contact with
    the target; ``anp verify`` reads the posts later), else with a verification of its own.
    With neither file, the run failed: RunError 3.
    """
    from loadtests.finalize import exit_code, finalize, refresh_artifacts, write_record
    from loadtests.measurements import Measurements
    from loadtests.verify import not_performed

    record = refresh_artifacts(plan.run_dir)
    if record is not None:
        if end.load_cut and not record.interrupted:
            # the load was cut short by our stop signal: say so in the record
            record = record.model_copy(update={"interrupted": True, "passed": None})
            write_record(record, plan.run_dir)
        return record, exit_code(record)
    measurements_path = plan.run_dir / "measurements.json"
    if measurements_path.is_file():
        measurements = Measurements.model_validate_json(measurements_path.read_bytes())
        if end.load_cut:
            measurements = measurements.model_copy(update={"interrupted": True})
        verification = None
        if end.stopped and measurements.verify:
            verification = not_performed(measurements.seeds.acknowledged, _why_unread(end, plan))
        from targets import load_target

        try:
            target = load_target(plan.target_path) if verification is None else None
        except Exception:
            target = None
        return finalize(
            measurements, target=target, out_dir=plan.run_dir, verification=verification
        )
    if end.code == 2:  # the locustfile refused an option or the definition before the load
        message = _child_usage_error(plan.run_dir / "locust.log")
        if message:
            raise RunError(message, 2)
    why = (
        "it overran its time bound and was killed" if end.overran else f"it exited with {end.code}"
    )
    raise RunError(
        f"Locust wrote no measurements ({why}); see {plan.run_dir / 'locust.log'}. "
        "Retrying is safe: nothing in the run folder was overwritten",
        3,
    )


def _why_unread(end: ChildEnd, plan: LocustPlan) -> str:
    how = (
        "a repeated Ctrl-C or SIGTERM"
        if end.signals and not end.overran
        else "its time bound (the run time, a grace period and --verify-timeout)"
    )
    return (
        f"the Locust process was stopped by {how} before it had read the posts back; nothing "
        f"was read (retrying is safe: run `anp verify {plan.run_dir.name}`)"
    )


def _child_usage_error(log_path: Path) -> str | None:
    """The child's last ``anp: error: ...`` line, without the prefix."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.startswith("anp: error: "):
            return line[len("anp: error: ") :]
    return None


def execute(plan: LocustPlan, *, show_progress: bool = True) -> tuple[RunRecord, int]:
    """Run the planned load and return the record and the exit code. Ctrl-C and SIGTERM are
    caught until the record is written (``run_locust``), then handled as before."""
    previous = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    try:
        end = run_locust(plan, ChildEnd(), show_progress=show_progress)
        return collect_record(plan, end)
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def locust_argv(
    *,
    run_dir: Path,
    users: int,
    spawn_rate: float,
    run_time_s: float,
    processes: int,
    harness_args: list[str],
) -> list[str]:
    """The child's command line: Locust's own options, then the harness's."""
    argv = [
        sys.executable,
        "-m",
        "loadtests.locust_child",  # Locust's main; --csv writes the history only (progress)
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{round(run_time_s)}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(run_dir / "locust"),
        "--html",
        str(run_dir / "locust.html"),
        "--only-summary",
        "--anp-out",
        str(run_dir),
    ]
    if processes > 1:
        argv += ["--processes", str(processes), *loopback_master(free_port())]
    return argv + harness_args


def loopback_master(port: int) -> list[str]:
    """Locust options that put the master of ``--processes`` on ``127.0.0.1:port``, for the
    master and for the workers it forks. Locust's default binds port 5557 on every interface:
    two runs on one machine then shared their workers, and the port was open to the network."""
    return [
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        str(port),
        "--master-port",
        str(port),
    ]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
