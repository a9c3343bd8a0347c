"""Shared test set-up. Qt runs offscreen: the CI machine has no screen."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Helpers shared by several test folders (analytic test signals).
sys.path.insert(0, str(Path(__file__).parent / "support"))
# The golden-image helper of the screen tests.
sys.path.insert(0, str(Path(__file__).parent / "screens"))
