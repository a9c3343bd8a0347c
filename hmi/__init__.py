"""The Qt application: window, bezel, TFT widget and the bridge that runs the engine off the GUI
thread. ``python -m hmi`` (or ``ion7400-hmi``) starts it; ``hmi.app.run_window`` opens the window
from Python."""
