import sys
from pathlib import Path

# The accuracy tests share the analytic signal builder in this folder.
sys.path.insert(0, str(Path(__file__).parent))
