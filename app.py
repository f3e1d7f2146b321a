"""WSGI entry point: ``gunicorn app:app`` or ``flask --app app run``."""

from school import create_app

app = create_app()
