"""WSGI entry point: `gunicorn 'outreach.wsgi:app'`."""
import gc

from outreach import create_app

app = create_app()


def _settle(application) -> None:  # type: ignore[no-untyped-def]
    """Compile every template now, then move what start-up built out of the garbage collector's way.

    A web worker holds some 120,000 long-lived objects (models, templates, Babel and country
    data); each full collection walked all of them, a 60-80 ms pause every fifty requests or so.
    Frozen, they are never walked again.
    """
    for name in application.jinja_env.list_templates(extensions=("html", "txt")):
        application.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()


_settle(app)
