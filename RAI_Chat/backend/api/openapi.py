"""OpenAPI pieces shared by the blueprints."""

from flask_openapi3 import Info

INFO = Info(title="RAI Chat API", version="0.1.0", description="The RAI Chat HTTP API.")
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
BEARER = [{"bearer": []}]
