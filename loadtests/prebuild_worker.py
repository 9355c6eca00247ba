"""A helper process of ``loadtests.prebuild``: seed ranges in, ready import requests out.

    python -m loadtests.prebuild_worker TARGET_DEFINITION SIZE|-

Reads lines ``FIRST LAST`` on stdin; answers each with one frame: ``FRAME_LEN\\n`` then, for every
seed of the range, ``SEED META_LEN BODY_LEN\\n``, META (JSON ``[reference, method, path, name,
headers]``) and the body, built by the target adapter from ``synthesize(seed, size)``, or, when
the adapter has the bytes fast path (``targets.base.json_import_of``), from
``synthesize_json(seed, size)`` without building the post. Exits at end of input.
"""

from __future__ import annotations

import sys

import orjson


def main(argv: list[str]) -> int:
    from synth import synthesize, synthesize_json
    from synth.generate import reference_of
    from targets import load_target
    from targets.base import json_import_of

    target = load_target(argv[0])
    fast = json_import_of(target)
    size = None if argv[1] == "-" else argv[1]
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        first, last = (int(x) for x in line.split())
        chunks: list[bytes] = []
        for seed in range(first, last + 1):
            if fast is not None:
                reference = reference_of(seed)
                body = synthesize_json(seed, size=size)
                request = fast.import_request_json(body, reference, seed)
            else:
                post = synthesize(seed, size=size)
                reference = post.meta.reference
                request = target.import_request(post)
            meta = orjson.dumps(
                [
                    reference,
                    request.method,
                    request.path,
                    request.name,
                    dict(request.headers),
                ]
            )
            body = request.body or b""
            chunks.append(b"%d %d %d\n" % (seed, len(meta), len(body)))
            chunks.append(meta)
            chunks.append(body)
        frame = b"".join(chunks)
        out.write(b"%d\n" % len(frame))
        out.write(frame)
        out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
