"""`gunicorn tests.integrations.oauth.standin_wsgi:app`: the app as wsgi.py builds it, allowed to call the API
stand-ins on loopback (SAFE_HTTP_ALLOWED_HOSTS is an app setting, never read from the environment)."""
from dashboard import create_app

app = create_app({"SAFE_HTTP_ALLOWED_HOSTS": ["127.0.0.1"]})
