"""Signal processing: pure functions over numpy arrays, one module per standard or topic.

Streaming state (filter states, partial cycles) is passed in and returned explicitly, in the
style of ``scipy.signal.lfilter``'s ``zi``; nothing is kept in globals.
"""
