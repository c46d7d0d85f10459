"""Real-user page metrics (``client``): the browser's beacons, checked and aggregated in the cache.

A feature package (issue 14 §5) that depends on no other part of ``ahsp``; only ``ahsp.views.metrics``
uses it.
"""
