"""Allow ``python -m socecon``."""

from socecon.cli import main

raise SystemExit(main())
