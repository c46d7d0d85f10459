"""Demo content for first runs: the hand-written reference library (``library``) and a small estimate
written through the services (``estimate``), both loaded by ``manage.py seed_demo``.

A feature package at the top of the dependency direction (issue 14 §5): it writes through
``ahsp.services`` and nothing in the application imports it.
"""
