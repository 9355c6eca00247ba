"""Tests, one folder per package. This file makes pytest import the top-level test modules as
``tests.<name>`` so that the ``tests/`` folder never lands on sys.path (where ``tests/synth``
would shadow the real ``synth`` package)."""
