"""A helper process of ``loadtests.prebuild``: seed ranges in, ready import requests out.

    python -m loadtests.prebuild_worker TARGET_DEFINITION SIZE|-

Reads lines ``FIRST LAST`` on stdin; answers each with one frame (``loadtests.prebuild_frames``)
holding, for every seed of the range, the import request built by the target adapter from
``synthesize(seed, size)``, or, when the adapter has the bytes fast path
(``targets.base.json_import_of``), from ``synthesize_json(seed, size)`` without building the post.
Exits at end of input.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from loadtests.prebuild_frames import encode_frame
    from synth import synthesize, synthesize_json
    from synth.generate import reference_of
    from targets import load_target
    from targets.base import Request, json_import_of

    target = load_target(argv[0])
    fast = json_import_of(target)
    size = None if argv[1] == "-" else argv[1]
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        first, last = (int(x) for x in line.split())
        items: list[tuple[int, str, Request]] = []
        for seed in range(first, last + 1):
            if fast is not None:
                reference = reference_of(seed)
                request = fast.import_request_json(
                    synthesize_json(seed, size=size), reference, seed
                )
            else:
                post = synthesize(seed, size=size)
                reference = post.meta.reference
                request = target.import_request(post)
            items.append((seed, reference, request))
        out.write(encode_frame(items))
        out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
