"""WSGI entry point: `gunicorn 'outreach.wsgi:app'`."""
from outreach import create_app

app = create_app()
