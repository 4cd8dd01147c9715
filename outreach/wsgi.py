"""WSGI entry point: `gunicorn 'outreach.wsgi:app'`."""
import gc

from outreach import create_app

app = create_app()

# Everything loaded so far (modules, the app, its tables, forms and zone lists: some 100,000 objects) lives as
# long as the worker. Without this, every full collection of the garbage collector (one every dozen or so
# requests on a list page) walks all of it again, a 60-130 ms pause that became the p95 of the busiest pages.
# Frozen objects are left out of collections; what requests allocate is still collected as before.
gc.freeze()
