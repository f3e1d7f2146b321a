"""The public blueprint ``privacy``, shared by two sub-packages.

The policy pages (``consent.routes``) and the privacy centre (``requests.centre_routes``)
both hang their pages on it, so their endpoint names (``privacy.policy``, ``privacy.centre``)
and addresses stay the ones templates, emails and bookmarks use.
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
