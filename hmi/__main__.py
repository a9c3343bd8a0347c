"""``python -m hmi``: the same as the ``ion7400-hmi`` command."""

from hmi.cli import main

raise SystemExit(main())
