from anp.cli import main

raise SystemExit(main())
