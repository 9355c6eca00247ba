"""Runs ``ImportUser`` against a fake Locust client (no sockets) and prints what it sent and what
the node recorded, as JSON (``test_users_import.py`` runs it in a child process: importing
``loadtests.users`` needs gevent's monkey-patching first, which the test process must not do).

    python tests/loadtests/users_driver.py MODE REQUESTS [--no-post-path]

MODE: ``thread`` (the default user: bodies built in blocks on a thread by the node's
``ThreadBuilder``), ``block`` (``thread_block = 0``: built back to back in line by the node's
``InlineBuilder``), ``per-post`` (both 0), ``post`` (``json_fast_path = False``: ``synthesize`` and the
adapter's ``import_request``), ``prebuilt`` (the node's ready source is a list of requests built
beforehand, as the synthesis helpers' frames carry them).

``--no-post-path`` makes ``synthesize`` (the ``Post`` path's first step) raise, so a run that
should stay on the bytes fast path fails if it leaves it.

The fake answer depends on the seed: 500 for ``seed % 7 == 3``, a refused connection for
``seed % 11 == 5``, else 201.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from loadtests import users  # noqa: E402
from loadtests.node import NODE  # noqa: E402
from loadtests.options import RunOptions  # noqa: E402
from loadtests.prebuild import Prebuilt  # noqa: E402
from loadtests.seeding import SeedQueue  # noqa: E402
from synth import synthesize_json  # noqa: E402
from synth.generate import reference_of  # noqa: E402
from targets import ReferenceTarget  # noqa: E402

FIRST_SEED = 1000


class FakeRaw:
    """What ``client.request(..., catch_response=True)`` returns, for one seed."""

    def __init__(self, seed: int, log: list[dict[str, Any]]) -> None:
        self.seed = seed
        self.log = log
        self.status_code = 0
        self.error: BaseException | None = None
        if seed % 11 == 5:
            self.error = ConnectionRefusedError(111, "refused")
        else:
            self.status_code = 500 if seed % 7 == 3 else 201
        self.content = b'{"status":"created"}' if self.status_code == 201 else b"{}"
        self.headers = {"content-type": "application/json"}

    def __enter__(self) -> FakeRaw:
        return self

    def __exit__(self, *exc: object) -> bool:
        return False

    def success(self) -> None:
        self.log[-1]["outcome"] = "success"

    def failure(self, message: str) -> None:
        self.log[-1]["outcome"] = message


class FakeClient:
    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []

    def request(self, method: str, path: str, **kw: Any) -> FakeRaw:
        body = kw["data"]
        seed = int(json.loads(body)["meta"]["reference"].split("-")[2])  # anp-ref-SEED-NNNN
        self.log.append(
            {
                "seed": seed,
                "method": method,
                "path": path,
                "name": kw["name"],
                "headers": dict(kw["headers"]),
                "body_is_synth": body == synthesize_json(seed),
                "catch_response": kw["catch_response"],
            }
        )
        return FakeRaw(seed, self.log)


class ListSource:
    """A ready source holding requests built beforehand (like ``Pipeline`` with its frames)."""

    def __init__(self, items: list[Prebuilt]) -> None:
        self.ready = deque(items)

    @property
    def finished(self) -> bool:
        return not self.ready

    def get(self) -> Prebuilt | None:
        return self.ready.popleft() if self.ready else None

    def close(self) -> list[tuple[int, int]]:
        left = [(item.seed, item.seed) for item in self.ready]
        self.ready.clear()
        return left

    def revive(self) -> None:
        """Nothing to take: every request was built beforehand."""


def main(argv: list[str]) -> int:
    mode, requests = argv[0], int(argv[1])
    if "--no-post-path" in argv:

        def refuse(*args: object, **kwargs: object) -> Any:
            raise AssertionError("synthesize called: the import left the bytes fast path")

        users.synthesize = refuse  # type: ignore[assignment]
    target = ReferenceTarget("fake", "http://127.0.0.1:9")
    options = RunOptions(
        target="fake",
        seeds=((FIRST_SEED, FIRST_SEED + 10 * requests),),
        seeds_text="",
        request_timeout=10.0,
        run_id="fake",
    )
    NODE.reset_coordinator(options)
    NODE.reset_for_test(options, target, t0=time.monotonic())
    allocator = NODE.allocator
    assert allocator is not None
    holder: list[SeedQueue] = []

    def ask(count: int) -> None:
        holder[0].feed(allocator.grant(count), exhausted=allocator.exhausted)

    holder.append(SeedQueue(ask))
    NODE.queue = holder[0]
    user = users.ImportUser.__new__(users.ImportUser)
    client = FakeClient()
    user.client = client  # type: ignore[assignment]
    if mode == "block":
        user.thread_block = 0  # type: ignore[misc]
    elif mode == "per-post":
        user.inline_block = 0  # type: ignore[misc]
        user.thread_block = 0  # type: ignore[misc]
    elif mode == "post":
        user.json_fast_path = False  # type: ignore[misc]
    elif mode == "prebuilt":
        seeds = NODE.queue.take(requests + 3)
        items = []
        for seed in seeds:
            reference = reference_of(seed)
            request = target.import_request_json(synthesize_json(seed), reference, seed)
            items.append(Prebuilt.of(seed, reference, request))
        NODE.pipeline = ListSource(items)
    elif mode != "thread":
        raise SystemExit(f"mode: got {mode!r}; expected thread, block, per-post, post or prebuilt")
    for _ in range(requests):
        user.import_post()
    source = type(NODE.pipeline).__name__ if NODE.pipeline is not None else None
    # the end of the load, as loadtests.ending drains a node
    NODE.recorder.leftovers.extend(NODE.queue.close())
    if NODE.pipeline is not None:
        NODE.recorder.leftovers.extend(NODE.pipeline.close())
    delta = NODE.recorder.take()
    for series in delta["series"]:
        series.pop("hist")
        series.pop("hist_w")
        series["per_second"] = sum(row[1] + row[2] for row in series["per_second"])
    print(
        json.dumps(
            {
                "source": source,
                "sent": client.log,
                "delta": delta,
                "granted": allocator.granted,
                "in_flight": [NODE.recorder.in_flight, NODE.seeded_in_flight],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
