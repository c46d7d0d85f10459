"""Input validation, one module per resource, no writes: ``projects`` (+ the project workbook upload),
``work_items``, ``analyses``, ``prices``, ``schedule``, ``progress``, ``audit``, ``reference``.

``fields`` holds the fields they share: every number goes through the one Indonesian parser
(``ahsp.parsing``) in a text input, never ``type=number``; weeks and "% per minggu" plans, posted id lists
and ``.xlsx`` uploads are read one way too. A view takes the form's first message (or all of them) and
re-renders with it, status 200 for htmx.
"""
