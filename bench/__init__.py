"""The performance benchmark of issue #7: how the pages hold up with big registers.

``python -m bench [--rows N[,N…]] [--backend sqlite|postgresql|both] [--json]`` builds a database per
backend and size (migrated and seeded as ``make run`` does, then bulk-loaded by :mod:`bench.load`),
times the pages in-process through the Flask test client (:mod:`bench.pages`), the export and the
import in processes of their own (:mod:`bench.probe`), and compares them with the issue's targets
(:mod:`bench.report`). Results of a run on this machine: ``bench/RESULTS.md``.

``python -m bench.traffic`` (``make load``) is the other half: gunicorn (:mod:`bench.servers`) driven
over HTTP (:mod:`bench.client`) by concurrent simulated users with mixed traffic.
"""
