"""A helper process of ``loadtests.prebuild``: seed ranges in, ready import requests out.

    python -m loadtests.prebuild_worker TARGET_DEFINITION SIZE|-

Reads lines ``FIRST LAST`` on stdin; answers each with one frame: ``FRAME_LEN\\n`` then, for every
seed of the range, ``SEED META_LEN BODY_LEN\\n``, META (JSON ``[reference, method, path, name,
headers]``) and the body, built by the target adapter from ``synthesize(seed, size)``. Exits at
end of input.
"""

from __future__ import annotations

import sys

import orjson


def main(argv: list[str]) -> int:
    from synth import synthesize
    from targets import load_target

    target = load_target(argv[0])
    size = None if argv[1] == "-" else argv[1]
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        first, last = (int(x) for x in line.split())
        chunks: list[bytes] = []
        for seed in range(first, last + 1):
            post = synthesize(seed, size=size)
            request = target.import_request(post)
            meta = orjson.dumps(
                [
                    post.meta.reference,
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
