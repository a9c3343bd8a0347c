"""What each TFT screen shows and how it is drawn.

``base`` defines the screen interface and the drawing context, ``canvas`` the helpers shared
by every screen, ``menu`` the menu tree, ``registry`` every screen by id; the other modules are
the screens themselves. Screens import the engine's snapshot types and quantity ids and draw
through QtGui (QPainter) only.
"""
