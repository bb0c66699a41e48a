"""``python -m ecosystem.outcomes docs/OUTPUTS.md``: write the output-table reference."""

import sys

from ecosystem.outcomes.reference import main

sys.exit(main())
