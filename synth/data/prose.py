"""Paragraph banks, appended sentences, headings, checklist items and meta notes.

Bank sizes are prime on purpose: the generator walks a bank with ``index = (start + i * step) %
len(bank)`` and a step in ``1..len(bank)-1``, which visits distinct entries for ``i < len(bank)``
(no repeats inside a normal post) with a single random draw.

Paragraph texts may use ``{stack}``, ``{problem}`` and ``{language}``; tails may also use
``{owner}`` and ``{company}`` (from ``faker_tables``). Every text is one line ending in ``.``.
"""

from __future__ import annotations

PARAGRAPHS: tuple[str, ...] = (
    "large content sites need predictable background work. queues, cron events, and import scripts "
    "should be idempotent, logged, and safe to run again. that makes recovery much easier when a "
    "request stops halfway through.",
    "cache rules should be written for people who will debug them later. name the rule, document "
    "the bypass conditions, and include examples of pages that should and should not be cached.",
    "database changes need extra care. check the existing indexes, inspect the query plan, and test "
    "the migration on a copy of real data. the fastest query in development can still become the "
    "slowest request in production.",
    "monitoring should answer simple questions quickly: is the service up, is it slow, are jobs "
    "failing, and did the last deployment change anything. dashboards are useful only when the "
    "signals are easy to understand during pressure.",
    "developer experience also matters. if the setup requires five manual steps, put those steps in "
    "a command, a make target, or a short runbook. small automation saves time every time the "
    "project is moved to another machine.",
    "when the feature touches user input, validate at the boundary and keep error messages "
    "specific. a good error message should explain what failed, what value was expected, and "
    "whether the request can be retried safely.",
    "start by writing down the symptoms of {problem} today: the slowest request, the largest "
    "queue, the noisiest alert. a number on paper turns a vague complaint into a target.",
    "in {stack}, the default settings are tuned for getting started, not for production traffic. "
    "read the settings that touch {problem} one by one and note which ones were never changed.",
    "reproduce the problem on a machine you control before touching production. a small script "
    "that triggers {problem} on demand is worth more than a long discussion about its cause.",
    "change one thing at a time. when two fixes land together and the graph improves, nobody can "
    "say which one helped, and the next regression becomes a guessing game.",
    "keep the rollback path as short as the rollout path. if shipping takes one command and undoing "
    "it takes an afternoon, the release is not finished yet.",
    "logs should carry a request id from the edge to the database. with that single field, a slow "
    "page can be followed through every service it touched.",
    "review the error budget before planning the work. if the service is well inside its budget, a "
    "slower and safer rollout is affordable and usually wise.",
    "{language} code in {stack} tends to hide {problem} behind helpful abstractions. profile the "
    "real request path instead of the function you suspect.",
    "write the test before the fix. a failing test that reproduces {problem} documents the bug, "
    "proves the fix, and keeps the problem from returning quietly.",
    "timeouts deserve explicit values. an unset timeout is a decision to wait forever, and waiting "
    "forever is how one slow dependency takes down a whole page.",
    "staging should look like production where it matters: the same versions, similar data sizes, "
    "and the same background jobs. differences there explain many surprises later.",
    "feature flags let a risky change reach a few users first. remove the flag once the change is "
    "proven, or the codebase slowly fills with branches nobody dares to delete.",
    "capacity is easier to plan than to recover. track the peak hour, not the daily average, and "
    "leave room for the next campaign or import.",
    "a migration that locks a large table can stall every request that needs it. split long "
    "migrations into small batches and run them while watching the lock graphs.",
    "retries are useful only with backoff and a limit. without both, a short outage turns into a "
    "retry storm that keeps the dependency down after it recovers.",
    "document the decision, not just the command. a future reader needs to know why the value is "
    "sixty seconds and not thirty, or the next cleanup will undo the fix.",
    "for {problem}, the first measurement is often the most surprising one. teams regularly find "
    "that the part they were sure about is fine and an overlooked step takes most of the time.",
    "keep configuration in one place and print it at startup. when the same {stack} setup behaves "
    "differently on two machines, the printed configuration is the first thing to compare.",
    "alerts should point at a symptom a user would notice and link to the runbook that fixes it. "
    "an alert that nobody can act on trains people to ignore the pager.",
    "health checks should test what the service needs to do its job: the database connection, the "
    "queue, the disk. a check that only returns ok proves very little.",
    "batch jobs need a clear owner and a clear schedule. a job that runs at midnight in one zone "
    "and at noon in another will eventually collide with a deployment.",
    "watch the slow tail, not only the median. a p99 that doubles is often the first sign of "
    "{problem}, long before the average moves.",
    "dependencies age quietly. pin versions, read the changelog before upgrading, and upgrade in "
    "small steps so that a breaking change points at a single package.",
    "a short design note before the work starts saves long review threads later. one page with "
    "the goal, the options, and the chosen one is enough.",
    "import pipelines should accept the same item twice without creating two records. use a "
    "stable reference as the key and make the second write a no-op.",
    "pay attention to the data that is rare but legal: empty titles, very long bodies, unusual "
    "characters. {problem} often hides in exactly those records.",
    "when traffic to {stack} passes through a proxy, check the timeouts and body limits at every hop. the "
    "smallest limit in the chain is the one users will hit.",
    "resource limits belong in code review. a container without memory limits shares its problems "
    "with every neighbour on the same host.",
    "pair a dashboard with a written baseline. without last week's numbers next to today's, it is "
    "hard to tell whether a graph shows a problem or a normal tuesday.",
    "a load test does not need to be large to be useful. a few minutes of steady traffic against "
    "staging reveals most regressions before users meet them.",
    "security checks are part of the definition of done. validate permissions on the server, even "
    "when the interface already hides the button.",
    "the {language} toolchain already offers most of what is needed here: a profiler, a test "
    "runner, and a linter. use them before adding another service to the stack.",
    "write the incident timeline while it is fresh. times, commands, and observations are easy to "
    "forget, and they are the raw material for the next improvement.",
    "small pull requests get better reviews. a reviewer who can read the whole change in ten "
    "minutes will notice the missing index or the unhandled error.",
    "prefer explicit over clever. a plain loop with a comment is easier to debug at three in the "
    "morning than a dense one-liner that handles {problem} implicitly.",
    "keep an eye on queue depth and age together. a short queue with old items is stuck, while a "
    "long queue with young items is merely busy.",
    "content sites are read far more often than they are written. move expensive work to write "
    "time where possible, and keep the read path simple and cacheable.",
    "clean up after experiments. temporary tables, old flags, and forgotten cron entries are where "
    "the next round of {problem} usually starts.",
    "set a budget for every page: a size limit, a request count, and a response time. a budget "
    "turns performance from an opinion into a check.",
    "when several teams share {stack}, agree on naming for metrics and logs. shared names make a "
    "cross-team incident much shorter.",
    "treat generated content as untrusted input. escape it on output, limit its size, and reject "
    "what does not match the expected shape with a clear error.",
    "measure after the change with the same method used before it. a different tool or time window "
    "can make an unchanged system look faster or slower.",
    "the runbook should fit on one screen. if handling {problem} needs more, split it into a short "
    "first-response page and a longer reference.",
    "automated checks in ci catch the easy mistakes early. keep them fast, or developers will find "
    "ways to skip them.",
    "backups are only as good as the last restore test. restore a recent backup to a scratch "
    "server on a schedule and time how long it takes.",
    "note the versions of {stack} and its main libraries in the article. advice that was right for "
    "one release can be wrong for the next.",
    "share the result. a short message with the before and after numbers helps other "
    "teams facing {problem} and invites useful corrections.",
)
"""53 paragraphs (prime)."""

TAILS: tuple[str, ...] = (
    "for this {stack} case, keep the owner, expected result, and rollback note in the same place.",
    "the alphanode approach is to prefer a small verified change over a broad rewrite.",
    "{owner} keeps the notes for this part and reviews every change to it.",
    "ask {owner} before changing the defaults, since the current values came from an incident.",
    "at {company}, this step is part of every release review.",
    "the team at {company} found this step cut their investigation time in half.",
    "in {stack}, this check takes a few minutes and pays for itself quickly.",
    "write the result into the ticket so the next person does not have to repeat the work.",
    "this is also where the first signs of {problem} appear.",
    "{owner} suggests running this check on a copy of production data first.",
    "a short screenshot of the graph helps reviewers more than a long description.",
    "keep the command in the repository, not in someone's shell history.",
    "this holds for small sites as much as for large ones.",
    "if in doubt, stop and measure again before going further.",
    "{owner} from {company} signs off on this step before it reaches production.",
    "the same rule applies to the {language} scripts around {stack}.",
    "skip this only when the change is trivial and fully covered by tests.",
    "add the numbers to the pull request description.",
    "this is cheap to do now and expensive to reconstruct later.",
    "many incidents start exactly here.",
    "the {stack} documentation covers the details, but the principle is simple.",
    "note the date, since the numbers will drift over time.",
    "{owner} keeps a dashboard for exactly this signal.",
)
"""23 appended sentences (prime). Tails with ``{owner}`` make the owner an entity."""

HEADINGS: tuple[str, ...] = (
    "production checks",
    "the practical approach",
    "why this matters",
    "measuring first",
    "rollout plan",
    "common mistakes",
    "what to monitor",
    "testing the change",
    "rollback plan",
    "configuration notes",
    "finding the cause",
    "a safer default",
    "performance budget",
    "operational notes",
    "before you start",
    "what changed",
    "handling edge cases",
    "team workflow",
    "verification",
    "cleanup afterwards",
    "working with data",
    "review points",
    "lessons from incidents",
    "tooling",
    "the first hour",
    "capacity notes",
    "reading the graphs",
    "dependencies",
    "documentation",
    "security notes",
    "keeping it simple",
)
"""31 section headings (prime). None ends in ``.``; none is ``final notes`` or
``alphanode post meta``; ``implementation checklist`` is reserved for the checklist section."""

CHECKLIST_HEADING = "implementation checklist"
"""Heading of the one section that holds the checklist bullet list."""

CHECKLIST_ITEMS: tuple[str, ...] = (
    "run linting",
    "run unit tests",
    "run one integration check",
    "verify staging config",
    "tag the release",
    "write the rollback note",
    "check the dashboards",
    "update the runbook",
    "measure before the change",
    "measure after the change",
    "review the query plan",
    "confirm backups are recent",
    "announce the release window",
    "check error rates",
    "compare p95 latency",
    "verify cache headers",
    "rotate temporary credentials",
    "remove debug logging",
    "check disk space",
    "confirm alert routing",
    "review permissions",
    "test the restore path",
    "pin dependency versions",
    "record the baseline",
    "check queue depth",
    "smoke test the main pages",
    "confirm the owner",
    "close the ticket",
    "archive the old config",
    "verify the health check",
    "check memory limits",
    "read the changelog",
    "run the load test",
    "check the sitemap",
    "verify redirects",
    "review the diff once more",
    "share the results",
)
"""37 checklist items (prime)."""

NOTES: tuple[str, ...] = (
    "sanitized array meta is expected to render as a list in the frontend box",
    "view count is synthetic and only used for testing meta volume",
    "content is generated for import/load testing and should be reviewed before indexing",
    "image urls point to public placeholder services and may change",
    "code samples are illustrative and were not run against a live system",
    "scores are synthetic and carry no editorial meaning",
    "names and companies are fictional and come from a fixed table",
)
"""Meta notes; a post keeps the first and a seeded selection of the others."""
