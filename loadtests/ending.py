"""The end of the load: drain every node, write the measurements and the record.

When the load stops (run time, shape, seeds used up, web UI stop) ``test_stopping`` drains and
``test_stop`` writes ``measurements.json`` and calls ``loadtests.finalize.finalize``, whose exit
code becomes Locust's. When Locust quits while the load still runs (Ctrl-C, SIGTERM) the
``quitting`` handler does the same with ``interrupted=True``.

A worker whose final report never comes (killed, hung) is *lost*: ``drain_all`` names it in
``NODE.ledger.lost`` and the record is marked incomplete (``loadtests.artifacts``), exit code 3.

Draining: every node stops starting requests, waits (at most the request timeout plus
``DRAIN_GRACE_S``) for those in flight, and hands over what it has not reported, including its
unused seeds: a worker answers the master's ``anp_drain`` with ``anp_final``. The seeds-used-up
end: workers say ``anp_done``; the coordinator ends the run once every seed was granted and
every node that got some is done.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import gevent
from locust.env import Environment
from locust.runners import STATE_MISSING

from loadtests import artifacts, verify_stop
from loadtests.checks import locust_exit_code
from loadtests.node import NODE
from loadtests.recorder import subtract_ranges
from loadtests.seeding import plan_pushes
from loadtests.worker_ledger import gone, pacer_figures
from synth import format_seed_ranges, merge_ranges

log = logging.getLogger("loadtests")

DRAIN_GRACE_S = 5.0
"""Added to the request timeout when waiting for in-flight requests and worker reports."""


def on_done(environment: Environment, msg: Any, **_: Any) -> None:
    gen = int((msg.data or {}).get("gen", 0))
    if gen < NODE.push_gen.get(msg.node_id, 0):
        return  # sent before a grant was pushed to it: it has seeds again
    NODE.done_nodes.add(msg.node_id)
    request_end_if_used_up()


def send_grant(
    node: str, ranges: list[tuple[int, int]], *, exhausted: bool, pushed: bool = False
) -> None:
    """Master: send ``node`` a grant (asked for, or ``pushed``) and note it."""
    data: dict[str, Any] = {"ranges": [list(r) for r in ranges], "exhausted": exhausted}
    if ranges:
        NODE.granted_nodes.add(node)
        NODE.ledger.granted(node, ranges)
    if exhausted:
        NODE.told_exhausted.add(node)
    else:
        NODE.told_exhausted.discard(node)
    if pushed:
        gen = NODE.push_gen[node] = NODE.push_gen.get(node, 0) + 1
        data.update(pushed=True, gen=gen)
        NODE.done_nodes.discard(node)
    NODE.env.runner.send_message("anp_seed_grant", data, client_id=node)


def push_given_back() -> None:
    """Master: hand seeds given back while the run goes on to the workers told "exhausted".

    The others ask again when their queues run low and get them first; those told "exhausted"
    ask no more, so without this the seeds would never be sent (and a seed-bound run would
    last to its time bound). They are pushed in blocks, round robin over those workers still
    running, as grants nobody asked for; a worker reopens its queue and wakes its idle users
    (``hooks._on_seed_grant``). With no such worker (the last one left), the master keeps them
    and ``finish`` warns that they were not sent."""
    allocator = NODE.allocator
    if allocator is None or NODE.drained or not NODE.running or not allocator.returned():
        return
    told = NODE.told_exhausted - NODE.final_nodes
    clients = getattr(NODE.env.runner, "clients", {})
    live = sorted(told - gone(told, clients, STATE_MISSING))
    for node, ranges, exhausted in plan_pushes(allocator, live):
        send_grant(node, ranges, exhausted=exhausted, pushed=True)
        log.info(
            "pushed %d seeds a departed worker gave back to worker %s",
            sum(b - a + 1 for a, b in ranges),
            node,
        )


def request_end_if_used_up() -> None:
    """End the run when every seed was handed out and every node that got some is done."""
    allocator = NODE.allocator
    if allocator is None or not allocator.exhausted or NODE.stop_requested:
        return
    if NODE.role == "master" and not NODE.granted_nodes - gone_workers() <= NODE.done_nodes:
        return
    NODE.stop_requested = True
    env = NODE.env
    log.info("all %d seeds were sent and answered; stopping the load", allocator.granted)

    def end() -> None:
        runner = env.runner
        if runner is None:
            return
        if getattr(env.parsed_options, "headless", False):
            runner.quit()
        else:
            runner.stop()

    gevent.spawn(end)


def gone_workers(nodes: set[str] | None = None) -> set[str]:
    """Those of ``nodes`` (default: the workers that got seeds and are not done) without a final
    report that Locust marks missing (no heartbeat for 3 s) or no longer lists. They will not
    say ``anp_done`` nor answer ``anp_drain``, so neither the seeds-used-up end nor the drain
    waits for them (their seeds are in doubt; the record says so)."""
    if nodes is None:
        nodes = NODE.granted_nodes - NODE.done_nodes
    clients = getattr(NODE.env.runner, "clients", {})
    return gone(nodes - NODE.final_nodes, clients, STATE_MISSING)


def on_final(environment: Environment, msg: Any, **_: Any) -> None:
    if NODE.running:
        delta = msg.data["delta"]
        NODE.merged.add(delta)
        NODE.ledger.reported(msg.node_id, msg.data.get("pacer"))
        if not NODE.drained and NODE.allocator is not None:
            # a worker left while the run continues: its unused seeds go to the others
            NODE.allocator.give_back([(int(a), int(b)) for a, b in delta.get("leftovers", ())])
            NODE.done_nodes.add(msg.node_id)
    NODE.final_nodes.add(msg.node_id)
    push_given_back()


def on_drain(environment: Environment, msg: Any = None, **_: Any) -> None:
    """Worker: stop starting requests, wait for those in flight, send the rest."""
    if NODE.final_sent or NODE.options is None:
        return
    delta, pacer = drain_node(NODE.options.request_timeout + DRAIN_GRACE_S)
    NODE.final_sent = True
    assert environment.runner is not None
    environment.runner.send_message("anp_final", {"delta": delta, "pacer": pacer})


def pacer_counters(now: float | None = None) -> list[int] | None:
    """This node's open-model ``[sent, late, due]`` slots so far (``worker_ledger.
    pacer_figures``), or None in the closed model."""
    pacer = NODE.pacer
    if pacer is None:
        return None
    return pacer_figures(pacer, time.monotonic() if now is None else now)


def drain_node(timeout: float) -> tuple[dict[str, Any], list[int] | None]:
    """Stop this node's users from starting requests; wait for in-flight ones; take the rest.
    Returns the last delta and the pacer counters: the slots due when the load stopped, and
    those sent (every request that started, as the delta counts them)."""
    NODE.draining = True
    if NODE.pacer is not None:
        NODE.pacer.stop(time.monotonic())
    if NODE.queue is not None:
        NODE.recorder.leftovers.extend(NODE.queue.close())
    if NODE.pipeline is not None:
        NODE.recorder.leftovers.extend(NODE.pipeline.close())
    deadline = time.monotonic() + timeout
    while NODE.recorder.in_flight > 0 and time.monotonic() < deadline:
        gevent.sleep(0.02)
    if NODE.recorder.in_flight:
        log.warning(
            "%d requests still in flight after %.0f s; not counted",
            NODE.recorder.in_flight,
            timeout,
        )
    pacer = pacer_counters()
    if pacer is not None and pacer[1]:
        sent, late, due = pacer
        log.warning(
            "open model: %d of %d slots were sent late, %d of %d due were sent (too few users "
            "to hold the rate)",
            late,
            sent,
            sent,
            due,
        )
    return NODE.recorder.take(), pacer


def drain_all() -> None:
    """Coordinator: drain every node (itself, or every worker) once per test."""
    if NODE.drained or not NODE.running:
        return
    NODE.drained = True
    NODE.ended_mono = time.monotonic()
    NODE.ended_wall = time.time()
    assert NODE.options is not None
    timeout = NODE.options.request_timeout + DRAIN_GRACE_S
    if NODE.role == "local":
        delta, pacer = drain_node(timeout)
        NODE.merged.add(delta)
        NODE.ledger.reported("local", pacer)
        return
    runner: Any = NODE.env.runner
    assert runner is not None
    expected = set(runner.clients.keys()) | NODE.granted_nodes | NODE.ledger.reporters
    runner.send_message("anp_drain", {})
    started = time.monotonic()
    deadline = started + timeout + DRAIN_GRACE_S
    while not expected <= NODE.final_nodes and time.monotonic() < deadline:
        pending = expected - NODE.final_nodes
        if time.monotonic() - started > DRAIN_GRACE_S and pending <= gone_workers(pending):
            break  # only workers Locust already knows are gone are left: stop waiting
        gevent.sleep(0.05)
    NODE.ledger.lost = sorted(expected - NODE.final_nodes)
    if NODE.ledger.lost:
        log.error(
            "no final report from workers %s; their last seconds are missing: the record is "
            "marked incomplete (exit code 3)",
            NODE.ledger.lost,
        )


def on_test_stopping(environment: Environment, **_: Any) -> None:
    if NODE.role != "worker":
        drain_all()


def on_test_stop(environment: Environment, **_: Any) -> None:
    if NODE.role != "worker":
        finish(interrupted=NODE.signalled)


RECORD_WAIT_S = 30.0
"""How long Locust's quitting waits for a read-back told to stop to write the record."""


def on_quitting(environment: Environment, **_: Any) -> None:
    if NODE.role == "worker":
        on_drain(environment)
        return
    if NODE.running and not NODE.finished:
        finish(interrupted=True)
    elif verify_stop.in_progress():
        # Locust quits (SIGTERM) while the posts are read back: stop reading and let the
        # record be written before the process exits (its exit code is then the record's)
        verify_stop.request_stop()
        if not verify_stop.wait_idle(RECORD_WAIT_S):
            log.error("the record was not written within %.0f s of the stop", RECORD_WAIT_S)


def _warn_unsent_given_back() -> None:
    """Seeds a worker gave back when it left were never sent: no worker was left to push them
    to (``push_given_back``), or the run ended before they were sent. They show as a hole in
    ``seeds.sent``; say so."""
    merged = NODE.merged
    held = list(NODE.allocator.returned()) if NODE.allocator is not None else []
    if NODE.stop_requested:
        held.extend(merged.leftovers)
    unsent = subtract_ranges(merge_ranges(held), merge_ranges(merged.sent))
    if unsent:
        total = sum(last - first + 1 for first, last in unsent)
        log.warning(
            "%d seeds given back by a worker that left were not sent (%s): they are missing"
            " from seeds.sent",
            total,
            format_seed_ranges(tuple(unsent)),
        )


def finish(*, interrupted: bool) -> None:
    """Write the measurements and the run record; set Locust's exit code."""
    if NODE.finished or not NODE.running:
        return
    drain_all()
    NODE.finished = True
    NODE.running = False
    NODE.interrupted = interrupted
    _warn_unsent_given_back()
    env = NODE.env
    try:
        measurements = artifacts.build_measurements(NODE, env, interrupted=interrupted)
        out_dir = artifacts.write_outputs(measurements, NODE, env)
    except Exception:
        log.exception("could not write the measurements")
        env.process_exit_code = 3
        return
    try:
        from loadtests.finalize import finalize
    except ImportError:
        log.warning("loadtests.finalize is unavailable: wrote measurements.json only")
        return
    try:
        _record, code = finalize(measurements, target=NODE.target, out_dir=out_dir)
    except Exception:
        log.exception("finalize failed; measurements.json is in %s", out_dir)
        env.process_exit_code = 3
        return
    env.process_exit_code = locust_exit_code(code, _record.checks, env.parsed_options)
