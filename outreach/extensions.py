"""Unbound extensions; `create_app` binds them."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from outreach.core.db import db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

__all__ = ["db", "login_manager", "csrf", "babel"]
