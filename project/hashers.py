"""Password hashing at OWASP's recommended Argon2id parameters.

Django's default Argon2 (100 MiB, t=2, parallelism 8) costs about 0.2-0.3 s of CPU per login on the
2-core machine, so a rush of logins takes the whole server. OWASP's Password Storage Cheat Sheet
recommends Argon2id with 19 MiB of memory, t=2, p=1. The algorithm name stays ``argon2``, so hashes
made with Django's defaults still verify, and Django's ``must_update`` rehashes them with these
parameters at the user's next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OWASPArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19456 KiB (19 MiB), t=2, p=1."""

    memory_cost = 19456
    time_cost = 2
    parallelism = 1
