"""The engine layer must never pull in Qt or the HMI packages (DESIGN.md, layers)."""

import subprocess
import sys

FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "hmi", "screens", "i18n")


def test_import_engine_pulls_in_no_qt():
    code = (
        "import sys, pkgutil, importlib, engine\n"
        "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = sorted({{n.split('.')[0] for n in sys.modules}} & set({FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine imports {out.stdout.strip()}"
