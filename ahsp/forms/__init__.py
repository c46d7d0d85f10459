"""Input validation, one module per resource (projects, work_items, prices, reference), no writes.

``fields`` holds the number fields every form uses: every number goes through the one Indonesian parser
(``ahsp.parsing``), in a text input, never ``type=number``.
"""
