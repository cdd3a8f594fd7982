"""Bahasa Indonesia by default; English (or another configured language) only when the user picks it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    """Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: a ministry's
    Indonesian users often run English-language browsers, and the programme's language is Indonesian."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PolicyRefusalMiddleware:
    """Turns a refusal of the policy (kotacerdas.cycles.policy.NotAllowed) into a 403 with its reason,
    as JSON for JSON requests and as a page otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import JsonResponse
        from django.shortcuts import render

        from kotacerdas.cycles.policy import NotAllowed

        if not isinstance(exception, NotAllowed):
            return None
        reason = exception.decision.reason
        if (
            "application/json" in request.headers.get("Accept", "")
            or request.content_type == "application/json"
        ):
            return JsonResponse({"error": "forbidden", "reason": reason}, status=403)
        return render(request, "403.html", {"reason": reason}, status=403)
