"""The generator version. Change it on purpose whenever synthesized bytes are meant to change."""

GENERATOR_VERSION = "1.0.0"
GENERATOR_NAME = "anp content synthesizer"
