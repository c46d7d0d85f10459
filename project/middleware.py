"""Bahasa Indonesia is the default language whatever the browser asks for."""

from django.http import HttpRequest


class IndonesianByDefaultMiddleware:
    """Drop Accept-Language so LocaleMiddleware uses the language cookie (the switch) or LANGUAGE_CODE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
