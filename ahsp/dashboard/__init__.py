"""The dashboard feature: per-user widget caching (``cache``), invalidated by data versions.

A package of its own (issue 14 §5) because the cache is shared by loaders, services and views but belongs
to none of those layers; it sits just above ``ahsp.models`` in the dependency direction. The widget loaders
stay in ``ahsp.loaders.dashboard`` and the views in ``ahsp.views.widgets``.
"""
