"""Kept for benchmark scripts: the generator lives in importers/synthetic.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from importers.synthetic import synthetic_ledger  # noqa: E402,F401
