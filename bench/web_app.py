"""The app as gunicorn serves it in the benchmark, on the benchmark's instance folder."""

import os

from school import create_app

app = create_app({"INSTANCE_PATH": os.environ["SCHOOL_INSTANCE"], "SECRET_KEY": "bench",
                  "SESSION_COOKIE_SECURE": False})  # fmt: skip
