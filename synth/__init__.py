"""synth: seed -> anp Post, its formats (text, json, html, markdown), invalid variants, corpora.

Pure: no network, imports nothing else of ours.
"""

from synth.canonical import canonical_hash, canonical_json, post_from_json, post_hash
from synth.corpus import write_corpus
from synth.corpus_errors import CorpusError
from synth.errors import ParseError, SeedError, SeedRangeError, SynthError
from synth.formats import CORPUS_FORMATS, POST_FORMATS, render_post
from synth.generate import SIZES, reference_of, synthesize, synthesize_json, synthesize_json_ref
from synth.html import render_html
from synth.invalid import INVALID_KINDS, InvalidPost, synthesize_invalid
from synth.invariants import check_invariants
from synth.manifest import CorpusManifest
from synth.markdown import render_markdown
from synth.model import (
    AiOutline,
    Block,
    BulletList,
    CodeBlock,
    Entity,
    Figure,
    Flags,
    ImageSource,
    Meta,
    Paragraph,
    Payload,
    Post,
    Revision,
    Score,
    Section,
    SimilarPost,
)
from synth.seeds import (
    MAX_SEED,
    SeedRanges,
    check_seed,
    count_seeds,
    format_seed_ranges,
    iter_seeds,
    merge_ranges,
    parse_seed,
    parse_seed_ranges,
    ranges_from_seeds,
    seed_at,
)
from synth.text import parse_text, render_text
from synth.verify import VerifyReport, verify_corpus
from synth.version import GENERATOR_NAME, GENERATOR_VERSION

__all__ = [
    "CORPUS_FORMATS",
    "GENERATOR_NAME",
    "GENERATOR_VERSION",
    "INVALID_KINDS",
    "MAX_SEED",
    "POST_FORMATS",
    "SIZES",
    "AiOutline",
    "Block",
    "BulletList",
    "CodeBlock",
    "CorpusError",
    "CorpusManifest",
    "Entity",
    "Figure",
    "Flags",
    "ImageSource",
    "InvalidPost",
    "Meta",
    "Paragraph",
    "ParseError",
    "Payload",
    "Post",
    "Revision",
    "Score",
    "Section",
    "SeedError",
    "SeedRangeError",
    "SeedRanges",
    "SimilarPost",
    "SynthError",
    "VerifyReport",
    "canonical_hash",
    "canonical_json",
    "check_invariants",
    "check_seed",
    "count_seeds",
    "format_seed_ranges",
    "iter_seeds",
    "merge_ranges",
    "parse_seed",
    "parse_seed_ranges",
    "parse_text",
    "post_from_json",
    "post_hash",
    "ranges_from_seeds",
    "reference_of",
    "render_html",
    "render_markdown",
    "render_post",
    "render_text",
    "seed_at",
    "synthesize",
    "synthesize_invalid",
    "synthesize_json",
    "synthesize_json_ref",
    "verify_corpus",
    "write_corpus",
]
