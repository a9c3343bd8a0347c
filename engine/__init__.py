"""The ION7400 measurement engine: sources, dsp, metering and the Meter that joins them.

Pure Python + numpy/scipy. Nothing here imports Qt or the HMI packages.
"""
