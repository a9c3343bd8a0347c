"""Reports of the compliance evaluations: text for the terminal, HTML with an ITIC plot.

Pure functions of ``engine.compliance`` results and ``engine.pq`` events; no Qt. The command
``ion7400-hmi report en50160|ieee519`` (``hmi/cli_report.py``) prints and writes them.
"""
