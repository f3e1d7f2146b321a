"""Compliance registers: processors and transfers, authority inquiries, breaches."""

from flask import Blueprint

bp = Blueprint("compliance", __name__, url_prefix="/admin/registers")


def init_app(app) -> None:
    from school.compliance import models, routes  # noqa: F401
    from school.pagecache import watch

    watch(models.Processor)  # the register of processors is printed in the privacy policy

    app.register_blueprint(bp)
