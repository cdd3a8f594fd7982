"""Typing for views behind a login: their ``request.user`` is a :class:`User`, never anonymous."""

from django.http import HttpRequest

from kotacerdas.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of a view decorated with ``login_required`` (or a decorator that implies it),
    as django-stubs recommends; services then get ``actor=request.user`` typed as a person."""

    user: User
