"""The template environment: what every render starts from."""


def test_a_loaded_template_holds_every_global_in_one_plain_dictionary(app):
    """Each render copies its template's globals; a plain dictionary is copied at C speed,
    Jinja's default chain map key by key in Python."""
    with app.test_request_context():
        template = app.jinja_env.get_template("base.html")
        assert type(template.globals) is dict
        assert set(app.jinja_env.globals) <= set(template.globals)
        assert template.globals["fragment"] is app.jinja_env.globals["fragment"]
