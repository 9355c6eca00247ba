"""``python -m anp``: the same as the ``anp`` command.

``python -m`` puts the current directory first on ``sys.path``. A folder there named like one of
our top-level packages (``results/`` is created by ``anp run``) would then shadow the installed
package, so the current directory is dropped before anything else is imported (as ``python -P``
would do).
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from anp.cli import main

raise SystemExit(main())
