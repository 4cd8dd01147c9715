"""WSGI entry point: `gunicorn 'outreach.wsgi:app'`."""
from outreach import create_app, settle

app = create_app()
settle(app)
