"""Shared test set-up. Qt runs offscreen: the CI machine has no screen."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
