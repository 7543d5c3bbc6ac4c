"""Extension objects shared by the app (``ext.init_app(app)`` in ``create_app``)."""

from flask_cors import CORS

cors = CORS()
