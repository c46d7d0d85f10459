"""Server-rendered line charts: the geometry (``geometry``, pure ``Decimal``) and its standalone SVG
drawing for the PDF documents (``svg``).

One package for one concern (issue 14 §5): the Kurva S page and the PDF export draw the same geometry.
It depends only on ``ahsp.calculations``; views and exports use it.
"""
