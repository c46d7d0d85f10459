from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's own user model (e-mail is the login, see allauth settings)."""

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username
