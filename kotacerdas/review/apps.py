from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "kotacerdas.review"
    label = "review"
