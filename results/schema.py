"""The committed JSON Schema of the run record, generated from the pydantic model.

Regenerate after changing ``results/record.py``::

    python -m results.schema            # writes results/schema/run.schema.json
    python -m results.schema --check    # exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from results.atomic import write_text_atomic
from results.record import SCHEMA_VERSION, RunRecord

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "run.schema.json"
"""Where the generated schema is committed."""


def schema_text() -> str:
    """The run record's JSON Schema as stable text (sorted keys, trailing newline)."""
    schema = RunRecord.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://anp-loadkit.invalid/schema/run.v{SCHEMA_VERSION}.json"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m results.schema",
        description="Write (or check) the run record's JSON Schema generated from RunRecord.",
        epilog="examples:\n  python -m results.schema\n  python -m results.schema --check",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when stale")
    parser.add_argument("--out", type=Path, default=SCHEMA_PATH, help="default: %(default)s")
    args = parser.parse_args(argv)
    text = schema_text()
    current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    if args.check:
        if current != text:
            print(f"{args.out} is stale: run `python -m results.schema`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    if current != text:
        write_text_atomic(args.out, text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
