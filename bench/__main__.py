"""``python -m bench``: run the benchmark suite and rewrite docs/SPEED.md (see run_all.py)."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "run_all.py"), run_name="__main__")
