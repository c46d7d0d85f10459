"""The benchmark commands (``manage.py bench_*``) and their synthetic data, as a small Django app.

They measure server time on big synthetic projects and were management commands of ``ahsp`` until issue
14 §5: they create users and thousands of rows, which a production image has no use for. The settings add
this app to ``INSTALLED_APPS`` only when it is importable (a development checkout), so the commands keep
their names there and do not exist in the image.
"""
