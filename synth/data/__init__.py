"""Vocabulary tables for the synthesizer: plain tuples of strings, kept apart from the code.

Every table here is part of the generator's output. Changing, reordering or extending any of
them changes synthesized bytes, so it must come with a bump of ``synth.version.GENERATOR_VERSION``
(the golden digests in ``tests/synth/golden/`` fail otherwise).

- ``topics``: stacks, problems, scenarios and the templates built around them.
- ``prose``: paragraph banks, appended sentences, headings, checklist items, notes.
- ``code``: code snippets, grouped by family; each stack names its family.
- ``images``: photo ids and loremflickr tags for figure URLs.
- ``faker_tables``: names and companies taken from the pinned Faker by
  ``scripts/regen_faker_tables.py`` (never imported from a live Faker).
"""
