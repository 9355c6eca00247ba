"""Stacks, problems, scenarios and the sentence templates built around them.

Templates use ``str.format`` fields: ``{problem}``, ``{stack}``, ``{scenario}``, ``{area}``,
``{language}``. Everything is lowercase plain text (letters, digits, spaces and ``.,:/-'``), one
line, no ``(``: titles and headings must survive the page-text grammar unchanged.
"""

from __future__ import annotations

from typing import NamedTuple


class Stack(NamedTuple):
    """One technology stack a post is about."""

    name: str
    """Shown in the title, topic, ``stack`` list and entities (type ``stack``)."""
    area: str
    """Second ``stack`` item and the entity of type ``area``."""
    language: str
    """Third ``stack`` item: the main language of the stack."""
    code_language: str
    """The meta ``code language``; every code block of the post uses it."""
    tools: tuple[str, ...]
    """Stack-specific tools; the post lists them first in ``tools``."""
    snippets: str
    """Key into ``synth.data.code.SNIPPETS``: the code family that fits this stack."""


STACKS: tuple[Stack, ...] = (
    Stack(
        "python services",
        "backend",
        "python",
        "python",
        ("fastapi", "pytest", "uvicorn", "ruff"),
        "python-fastapi",
    ),
    Stack(
        "django sites",
        "backend",
        "python",
        "python",
        ("django", "pytest", "gunicorn", "celery"),
        "python-django",
    ),
    Stack(
        "flask apis",
        "backend",
        "python",
        "python",
        ("flask", "pytest", "gunicorn", "mypy"),
        "python-flask",
    ),
    Stack(
        "node.js apis",
        "backend",
        "javascript",
        "javascript",
        ("express", "jest", "npm", "eslint"),
        "javascript-node",
    ),
    Stack(
        "vue frontends",
        "frontend",
        "javascript",
        "javascript",
        ("vue", "vite", "vitest", "eslint"),
        "javascript-vue",
    ),
    Stack(
        "react frontends",
        "frontend",
        "typescript",
        "typescript",
        ("react", "vite", "vitest", "eslint"),
        "typescript-react",
    ),
    Stack(
        "next.js apps",
        "frontend",
        "typescript",
        "typescript",
        ("next.js", "playwright", "pnpm", "eslint"),
        "typescript-next",
    ),
    Stack(
        "go microservices",
        "backend",
        "go",
        "go",
        ("go test", "pprof", "golangci-lint", "delve"),
        "go-http",
    ),
    Stack(
        "rust services",
        "backend",
        "rust",
        "rust",
        ("cargo", "clippy", "tokio", "criterion"),
        "rust-axum",
    ),
    Stack(
        "php applications",
        "backend",
        "php",
        "php",
        ("composer", "phpunit", "php-fpm", "phpstan"),
        "php-plain",
    ),
    Stack(
        "wordpress sites",
        "cms",
        "php",
        "php",
        ("wp-cli", "phpunit", "query monitor", "composer"),
        "php-wordpress",
    ),
    Stack(
        "laravel apps",
        "backend",
        "php",
        "php",
        ("artisan", "phpunit", "horizon", "composer"),
        "php-laravel",
    ),
    Stack(
        "spring boot services",
        "backend",
        "java",
        "java",
        ("maven", "junit", "actuator", "jfr"),
        "java-spring",
    ),
    Stack(
        "rails apps",
        "backend",
        "ruby",
        "ruby",
        ("bundler", "rspec", "sidekiq", "rubocop"),
        "ruby-rails",
    ),
    Stack(
        "postgresql databases",
        "data",
        "sql",
        "sql",
        ("psql", "pg_stat_statements", "pgbouncer", "explain"),
        "sql-postgres",
    ),
    Stack(
        "mysql databases",
        "data",
        "sql",
        "sql",
        ("mysql client", "slow query log", "percona toolkit", "explain"),
        "sql-mysql",
    ),
    Stack(
        "kubernetes clusters",
        "infrastructure",
        "yaml",
        "yaml",
        ("kubectl", "helm", "prometheus", "kustomize"),
        "yaml-kubernetes",
    ),
    Stack(
        "docker deployments",
        "infrastructure",
        "yaml",
        "yaml",
        ("docker", "compose", "buildkit", "trivy"),
        "yaml-compose",
    ),
    Stack(
        "ci pipelines",
        "delivery",
        "yaml",
        "yaml",
        ("github actions", "make", "cache keys", "artifacts"),
        "yaml-ci",
    ),
    Stack(
        "linux servers",
        "operations",
        "bash",
        "bash",
        ("systemd", "journalctl", "nginx", "cron"),
        "bash-ops",
    ),
)
"""20 stacks; each names its code family, so code blocks always fit the stack."""

COMMON_TOOLS: tuple[str, ...] = (
    "git",
    "logs",
    "grafana",
    "sentry",
    "make",
    "docker",
    "opentelemetry",
    "feature flags",
    "runbooks",
    "dashboards",
    "load tests",
    "code review",
)
"""Generic tools; a post appends two of them after the stack's own tools."""

PROBLEMS: tuple[str, ...] = (
    "reducing build time",
    "slow database queries",
    "memory leaks",
    "flaky tests",
    "cache invalidation",
    "slow page loads",
    "failed deployments",
    "noisy alerts",
    "rate limiting",
    "background job retries",
    "duplicate imports",
    "timezone bugs",
    "large file uploads",
    "search relevance",
    "session handling",
    "api versioning",
    "dependency upgrades",
    "configuration drift",
    "log volume",
    "connection pool exhaustion",
    "cold starts",
    "image optimization",
    "schema migrations",
    "broken pagination",
    "slow admin screens",
    "webhook delivery",
    "feature flag cleanup",
    "secret rotation",
    "cpu spikes",
    "disk space alerts",
    "n plus one queries",
    "race conditions",
    "stale content",
    "oversized payloads",
    "retry storms",
    "batch import speed",
    "error budget tracking",
    "access control checks",
    "backup verification",
    "test data setup",
    "release rollbacks",
    "queue backlogs",
    "slow startup",
    "encoding errors",
    "redirect loops",
    "broken sitemaps",
)
"""46 problems, each a noun phrase that reads after ``how to handle``."""

SCENARIOS: tuple[str, ...] = (
    "with clear owner notes",
    "under a tight deadline",
    "with a small team",
    "during a traffic spike",
    "after a failed release",
    "in a legacy codebase",
    "on a limited budget",
    "with strict audit rules",
    "across several regions",
    "without a downtime window",
    "before a first launch",
    "with shared staging servers",
    "during a platform migration",
    "with on-call handover",
)
"""14 scenarios: the ``context`` of the ai outline and ``payload.scenario``."""

TITLE_TEMPLATES: tuple[str, ...] = (
    "how to handle {problem} in {stack}",
    "a practical guide to {problem} in {stack}",
    "{problem} in {stack}: what to check first",
    "notes on {problem} for {stack}",
    "fixing {problem} in {stack} {scenario}",
    "a calm checklist for {problem} in {stack}",
    "what we learned about {problem} in {stack}",
    "handling {problem} in {stack} step by step",
)
"""Titles: one line, no ``(`` and no final ``.``."""

INTRO_TEMPLATES: tuple[str, ...] = (
    "this is a field note for developers who want a calm, readable solution. the focus is "
    "{problem} in {stack} {scenario}, with checks that can be reused later.",
    "teams running {stack} meet {problem} sooner or later. this note walks through one way to "
    "handle it {scenario}, keeping every step easy to verify.",
    "this article collects the checks we use for {problem} in {stack}. it is written {scenario}, "
    "so it favours small, reversible steps over clever tricks.",
    "a problem like {problem} rarely has a single cause. this guide looks at {stack} {scenario} and shows how to "
    "narrow the problem down before changing anything.",
    "here is a short, practical walkthrough of {problem} in {stack}. the approach works {scenario} "
    "and leaves a trail that the next developer can follow.",
    "when signs of {problem} show up in {stack}, the first instinct is to change code. this note argues for "
    "measuring first, {scenario}, and changing one thing at a time.",
)

FINAL_TEMPLATES: tuple[str, ...] = (
    "the best result is not only a faster or cleaner {stack} implementation. it is a change that "
    "another developer can inspect, understand, and safely repeat. keep the final commands, "
    "metrics, and assumptions close to the article so future maintenance is easier.",
    "a problem like {problem} in {stack} is rarely solved once and for all. write down what was measured, what "
    "changed, and what to watch next time, and the following round will be shorter.",
    "a good fix for {problem} is boring to review: small diffs, clear numbers, and a rollback note. "
    "aim for that in {stack} and the team will trust the next change too.",
    "keep the checklist next to the code. if you run into {problem} in {stack} again, the notes from "
    "this round are the fastest way back to a working state.",
    "the work is done when the numbers are better, the runbook is updated, and someone other than "
    "the author has repeated the steps on {stack} without help.",
)

SUMMARY_TEMPLATES: tuple[str, ...] = (
    "this ai-style technical summary explains {problem} in {stack}, with emphasis on {focus}.",
    "a short technical summary of {problem} in {stack}, covering {focus}.",
    "this summary outlines how to approach {problem} in {stack}, with attention to {focus}.",
)

SUMMARY_FOCUS: tuple[str, ...] = (
    "measurement, safe defaults, rollback planning, and maintainable documentation",
    "small reversible steps, clear ownership, and repeatable checks",
    "observability, staged rollout, and honest before and after numbers",
    "input validation, specific error messages, and safe retries",
    "test coverage, staging parity, and a written rollback path",
    "capacity planning, alert hygiene, and calm incident handling",
)

BRIEF_TEMPLATES: tuple[str, ...] = (
    "the article is written like a careful ai generated engineering draft: it explains the reason "
    "for the change, lists operational checks, and avoids pretending that one command fixes every "
    "production case.",
    "the text reads like an ai generated field guide: direct, practical, and explicit about the "
    "limits of each step.",
    "the note is a hand-edited engineering write-up that favours measured claims and concrete "
    "commands over general advice.",
    "the draft follows a team runbook format: context, checks, a code sample, and a checklist that "
    "can be copied into a ticket.",
)
"""``flags.ai_generated_style`` is 1 exactly when the chosen brief contains ``ai generated``."""

ACTIONS: tuple[str, ...] = (
    "measure first, change carefully, document the result",
    "reproduce locally, fix the smallest cause, add a regression test",
    "add monitoring, set a threshold, alert the owner",
    "roll out behind a flag, compare metrics, remove the flag",
    "write the runbook, rehearse the rollback, then ship",
    "profile the hot path, remove the waste, verify in staging",
    "split the change, review each step, release in daylight",
    "automate the manual steps, keep logs, repeat safely",
)

DIFFICULTIES: tuple[str, ...] = ("beginner", "intermediate", "advanced", "expert")

STATUSES: tuple[str, ...] = ("reviewed", "reviewed", "published", "published", "draft", "outdated")
"""Revision statuses (weighted by repetition). A ``draft`` needs human review."""
