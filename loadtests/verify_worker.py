"""One slice of a parallel verification: ``python -m loadtests.verify_worker JOB.json``.

The job file holds ``definition`` (a target definition path), ``acknowledged`` and ``sent``
(seed ranges), ``size``, ``deadline_s`` and ``started_wall`` (the bound and when the parent
started counting it, as ``time.time()``) and ``out``; the worker builds the adapter, verifies its
slice with ``loadtests.verify.verify_posts`` and writes the ``Verification`` as JSON to ``out``
atomically. Started by ``loadtests.verify_parallel``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    from loadtests.atomic_files import write_bytes_atomic
    from loadtests.verify import verify_posts
    from synth import merge_ranges
    from targets import load_target
    from targets.transport import Sender

    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    # the bound counts from the parent's start (a wall-clock time, shared by the processes)
    elapsed = max(0.0, time.time() - float(job.get("started_wall", time.time())))
    target = load_target(job["definition"])
    with Sender(target.base_url, getattr(target, "timeouts", None)) as sender:
        result = verify_posts(
            target,
            sender,
            acknowledged=merge_ranges(tuple(r) for r in job["acknowledged"]),
            sent=merge_ranges(tuple(r) for r in job["sent"]),
            size=job["size"],
            deadline_s=float(job["deadline_s"]),
            started=time.monotonic() - elapsed,
        )
    write_bytes_atomic(Path(job["out"]), result.model_dump_json().encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
