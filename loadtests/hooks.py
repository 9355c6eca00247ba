"""Locust event handlers: options, roles, seed messages, worker reports, drain and the end.

Roles: the *coordinator* is the local runner or the master; it owns the ``SeedAllocator`` and the
``Merged`` measurements. Workers run users and ship recorder deltas in Locust's own periodic
report (``report_to_master`` -> ``worker_report``).

Custom messages (all on Locust's master/worker channel):

* master -> workers ``anp_hello {t0_wall, share}`` when a test starts: the run's wall-clock
  start (a worker's second 0 is ``t0_wall`` on its own clock, so per-second rows of workers on
  one host line up exactly, and across hosts as closely as their clocks agree) and its share of
  the open model's arrival rate (1 / number of workers);
* worker -> master ``anp_seed_request {count}``, master -> that worker ``anp_seed_grant
  {ranges, exhausted}`` (see ``loadtests.seeding``); and, unasked, ``anp_seed_grant {ranges,
  exhausted, pushed, gen}``: seeds a worker that left gave back, pushed to a worker that was
  told no more would come (``loadtests.ending.push_given_back``);
* worker -> master ``anp_done {gen}``: the worker used its last seed and it was answered
  (``gen``: the latest pushed grant it had, so a "done" older than a push is ignored);
* master -> workers ``anp_drain``, worker -> master ``anp_final {delta}``: at the end of the
  load every node stops starting requests, waits (bounded by the request timeout) for the ones in
  flight, and sends everything it has not reported yet, including its unused seeds.

The end of the load (drain, measurements, record, exit code) is in ``loadtests.ending``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from typing import Any

import gevent
from locust import User
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from loadtests import artifacts, locust_outputs, verify_stop
from loadtests.ending import (
    on_done,
    on_drain,
    on_final,
    on_quitting,
    on_test_stop,
    on_test_stopping,
    pacer_counters,
    request_end_if_used_up,
    send_grant,
)
from loadtests.node import NODE
from loadtests.options import (
    OptionError,
    RunOptions,
    read_options,
    register,
    with_target_timeout,
)
from loadtests.seeding import SeedQueue
from loadtests.users import USER_CLASSES, configure_timeouts

log = logging.getLogger("loadtests")

LOCAL_FOLD_S = 3.0
"""How often the local runner folds its recorder into the merged measurements."""


def install(events: Any) -> None:
    """Attach every handler to Locust's events (the locustfile calls this once)."""
    locust_outputs.install(events)  # first: see its docstring
    events.init_command_line_parser.add_listener(register)
    events.init.add_listener(on_init)
    events.test_start.add_listener(on_test_start)
    events.test_stopping.add_listener(on_test_stopping)
    events.test_stop.add_listener(on_test_stop)
    events.report_to_master.add_listener(on_report_to_master)
    events.worker_report.add_listener(on_worker_report)
    events.quitting.add_listener(on_quitting)


def _parsed(environment: Environment) -> argparse.Namespace:
    parsed = environment.parsed_options
    return parsed if parsed is not None else argparse.Namespace()


def _usage_exit(message: str, code: int) -> None:
    sys.stderr.write(f"anp: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def _check(environment: Environment, *, first: bool) -> RunOptions:
    try:
        options = read_options(_parsed(environment))
    except OptionError as exc:
        if first:
            _usage_exit(str(exc), exc.exit_code)
        raise
    if (
        not options.seeded
        and not getattr(environment.parsed_options, "run_time", None)
        and options.shape == "steady"
        and first
    ):
        _usage_exit(
            f"--scenario {','.join(options.scenarios)}: no scenario consumes seeds, so the "
            "run needs a bound; expected --run-time (e.g. -t 30s)",
            2,
        )
    return options


def _load_target(path: str) -> Any:
    from targets import load_target
    from targets.base import TargetError

    try:
        return load_target(path)
    except TargetError as exc:
        _usage_exit(f"--target {path}: {exc}", exc.exit_code)
    except OSError as exc:
        _usage_exit(
            f"--target {path}: cannot read the definition ({exc}); expected a "
            "target definition file such as targets/local-reference.toml",
            2,
        )
    return None


def on_init(environment: Environment, runner: Any = None, **_: Any) -> None:
    NODE.env = environment
    if isinstance(runner, WorkerRunner):
        NODE.role = "worker"
        runner.register_message("anp_hello", _on_hello)
        runner.register_message("anp_seed_grant", _on_seed_grant)
        runner.register_message("anp_drain", on_drain, concurrent=True)
        # Locust fires ``quitting`` listeners newest first, and the WorkerRunner's (which tells
        # the master "quit") was added after the locustfile's: this one, added now, runs before
        # it, so the master has this worker's final report (its unused seeds, to hand to the
        # other workers) before it hears that the worker left.
        events: Any = environment.events
        events.quitting.add_listener(on_quitting)
        return
    NODE.role = "master" if isinstance(runner, MasterRunner) else "local"
    options = _check(environment, first=True)
    target = _load_target(options.target)
    try:
        artifacts.check_out_dir(options)
    except OptionError as exc:
        _usage_exit(str(exc), exc.exit_code)
    limit = getattr(target, "batch_limit", 0)
    if "batch" in options.scenarios and not 1 <= options.batch_size <= max(limit, 0):
        _usage_exit(
            f"--batch-size: got {options.batch_size}; expected 1..{limit} for target "
            f"{target.name} (its batch limit)"
            if limit
            else f"--scenario batch: target {target.name} has no batch endpoint; expected a scenario "
            "without batch",
            2,
        )
    if getattr(environment.parsed_options, "headless", False) and target is not None:
        from loadtests.reachability import health_failure

        failure = health_failure(target)  # after the usage checks: those exit 2 first
        if failure is not None:
            _usage_exit(failure, 3)
    options = with_target_timeout(options, target)
    NODE.options = options
    NODE.target = target
    _select_user_classes(environment, options)
    environment.host = target.base_url
    if runner is not None and NODE.role == "master":
        runner.register_message("anp_seed_request", _on_seed_request)
        runner.register_message("anp_done", on_done)
        runner.register_message("anp_final", on_final)
    _mark_signals()


def _select_user_classes(environment: Environment, options: RunOptions) -> None:
    if getattr(environment.parsed_options, "user_classes", None):
        return  # the user named classes on the command line: Locust's choice stands
    chosen: list[type[User]] = []
    for name, weight in options.scenarios.items():
        cls = USER_CLASSES[name]
        cls.weight = weight
        chosen.append(cls)
    environment.user_classes = chosen


def _mark_signals() -> None:
    """Note SIGINT/SIGTERM; deliver Ctrl-C's KeyboardInterrupt to the main greenlet only.

    Python runs a signal handler in whichever greenlet happens to run; the default handler would
    raise KeyboardInterrupt inside a user between its response and its recording, and that
    request would be lost to the counts. Locust's main greenlet handles the interrupt (HTML
    report, then ``quitting``, where the harness drains and writes the partial record)."""
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: Any) -> None:
        NODE.signalled = True
        if callable(previous) and previous is not signal.default_int_handler:
            previous(signum, frame)
            return
        if verify_stop.in_progress():
            # the load is over and the posts are being read back: stop reading, so the record
            # is still written (it says the verification was interrupted; `anp verify` ends it)
            verify_stop.request_stop()
            return
        hub = gevent.get_hub()
        hub.loop.run_callback(hub.parent.throw, KeyboardInterrupt)

    def on_sigterm() -> None:
        NODE.signalled = True
        if verify_stop.in_progress():
            verify_stop.request_stop()  # Locust's own handler then quits: see ending.on_quitting

    signal.signal(signal.SIGINT, on_sigint)
    gevent.signal_handler(signal.SIGTERM, on_sigterm)


# --- test start ---------------------------------------------------------------------------------


def on_test_start(environment: Environment, **_: Any) -> None:
    if NODE.role == "worker":
        _start_worker(environment)
        return
    first = NODE.started_wall == 0.0
    try:
        options = _check(environment, first=False)
    except OptionError as exc:
        log.error("%s", exc)
        gevent.spawn(environment.runner.stop) if environment.runner else None
        return
    if first and NODE.options is not None:
        options = _same_run_id(options, NODE.options)
    if NODE.options is None or options.target != NODE.options.target:
        try:  # the web UI's form named another target
            from targets import load_target

            NODE.target = load_target(options.target)
        except Exception as exc:
            log.error("--target %s: %s", options.target, exc)
            gevent.spawn(environment.runner.stop) if environment.runner else None
            return
    options = with_target_timeout(options, NODE.target)
    NODE.options = options
    _select_user_classes(environment, options)  # the web UI may have changed --scenario
    NODE.reset_coordinator(options)
    NODE.release = _fetch_release(NODE.target)
    runner: Any = environment.runner
    if NODE.role == "master":
        workers = max(1, len(runner.clients)) if runner is not None else 1
        NODE.worker_share = 1.0 / workers
        assert runner is not None
        runner.send_message("anp_hello", {"t0_wall": NODE.started_wall, "share": 1.0 / workers})
        return
    NODE.worker_share = 1.0
    assert NODE.target is not None
    _start_node(environment, options, NODE.target, t0=NODE.started_mono)

    def ask(count: int) -> None:
        allocator = NODE.allocator
        assert allocator is not None and NODE.queue is not None
        ranges = [] if NODE.drained else allocator.grant(count)
        NODE.queue.feed(ranges, exhausted=allocator.exhausted or NODE.drained)

    NODE.queue = SeedQueue(ask)
    NODE.on_seeds_used_up = request_end_if_used_up
    _start_pipeline(options)
    gevent.spawn(_fold_local, NODE.recorder)


def _fold_local(recorder: Any) -> None:
    """Local runner: fold the recorder into the merged measurements every few seconds, so seed
    lists stay short (compressed to ranges) in long runs."""
    while NODE.running and not NODE.drained and NODE.recorder is recorder:
        gevent.sleep(LOCAL_FOLD_S)
        if NODE.running and not NODE.drained and NODE.recorder is recorder:
            NODE.merged.add(recorder.take())


def _same_run_id(options: RunOptions, earlier: RunOptions) -> RunOptions:
    from dataclasses import replace

    return replace(options, run_id=earlier.run_id)


def _fetch_release(target: Any) -> str | None:
    if target is None:
        return None
    try:
        from targets import fetch_release

        return str(fetch_release(target))
    except Exception as exc:
        log.warning("could not read the target's release: %s", exc)
        return None


def _start_node(environment: Environment, options: RunOptions, target: Any, *, t0: float) -> None:
    timeouts = getattr(target, "timeouts", None)
    configure_timeouts(options.request_timeout, getattr(timeouts, "connect_s", None))
    environment.host = target.base_url
    NODE.reset_for_test(options, target, t0=t0)


def _start_worker(environment: Environment) -> None:
    options = read_options(_parsed(environment))
    target = NODE.target if NODE.options and NODE.options.target == options.target else None
    if target is None:
        from targets import load_target

        target = load_target(options.target)
    options = with_target_timeout(options, target)
    hello = NODE.hello
    NODE.worker_share = float(hello.get("share", 1.0))
    t0_wall = float(hello.get("t0_wall", time.time()))
    _start_node(environment, options, target, t0=time.monotonic() - (time.time() - t0_wall))
    runner = environment.runner
    assert runner is not None

    def ask(count: int) -> None:
        runner.send_message("anp_seed_request", {"count": count})

    NODE.queue = SeedQueue(ask)
    NODE.on_seeds_used_up = lambda: runner.send_message("anp_done", {"gen": NODE.grant_gen})
    _start_pipeline(options)


def _start_pipeline(options: RunOptions) -> None:
    if options.synth_processes and "import" in options.scenarios and NODE.queue is not None:
        from loadtests.prebuild import Pipeline

        NODE.pipeline = Pipeline(options.target, options.size, options.synth_processes, NODE.queue)
        NODE.pipeline.start()


# --- messages -----------------------------------------------------------------------------------


def _on_hello(environment: Environment, msg: Any, **_: Any) -> None:
    NODE.hello = dict(msg.data or {})
    if NODE.options is not None and "t0_wall" in NODE.hello:
        NODE.recorder.t0 = time.monotonic() - (time.time() - float(NODE.hello["t0_wall"]))


def _on_seed_request(environment: Environment, msg: Any, **_: Any) -> None:
    allocator = NODE.allocator
    if allocator is None or NODE.drained or not NODE.running or msg.node_id in NODE.final_nodes:
        send_grant(msg.node_id, [], exhausted=True)
    else:
        ranges = allocator.grant(int(msg.data["count"]))
        send_grant(msg.node_id, ranges, exhausted=allocator.exhausted)


def _on_seed_grant(environment: Environment, msg: Any, **_: Any) -> None:
    """Worker: a grant it asked for, or one the master pushed (``pushed``: seeds a worker that
    left gave back, after this one was told no more would come)."""
    queue = NODE.queue
    if queue is None:
        return
    data = msg.data
    ranges = [(int(a), int(b)) for a, b in data["ranges"]]
    if queue.closed:
        # the load stopped here while the grant was on its way: these seeds are unused
        NODE.recorder.leftovers.extend(ranges)
        if NODE.final_sent and ranges and environment.runner is not None:
            # the final report is gone already: send another with them, so they are not lost
            environment.runner.send_message(
                "anp_final", {"delta": NODE.recorder.take(), "pacer": pacer_counters()}
            )
        return
    pushed = bool(data.get("pushed", False))
    queue.feed(ranges, exhausted=bool(data["exhausted"]), pushed=pushed)
    if pushed and ranges:
        NODE.grant_gen = max(NODE.grant_gen, int(data.get("gen", 0)))
        NODE.done_sent = False
        if NODE.pipeline is not None:
            NODE.pipeline.revive()
        NODE.wake_idle()


def on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if NODE.options is not None:
        data["anp"] = NODE.recorder.take()
        data["anp_pacer"] = pacer_counters()


def on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if "anp" in data and NODE.running:
        NODE.merged.add(data["anp"])
        NODE.ledger.reported(client_id, data.get("anp_pacer"))
        request_end_if_used_up()  # a worker may have gone missing since its last anp_done
