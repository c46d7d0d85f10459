from django.apps import AppConfig


class PartialsConfig(AppConfig):
    name = "partials"
