"""The template environment: what every render starts from."""


def test_a_loaded_template_holds_every_global_in_one_plain_dictionary(app):
    """Each render copies its template's globals; a plain dictionary is copied at C speed,
    Jinja's default chain map key by key in Python."""
    with app.test_request_context():
        template = app.jinja_env.get_template("base.html")
        assert type(template.globals) is dict
        assert set(app.jinja_env.globals) <= set(template.globals)
        assert template.globals["fragment"] is app.jinja_env.globals["fragment"]


def test_translating_inside_a_loop_escapes_and_formats_without_copying_the_context(
    app, monkeypatch
):
    """``_()`` needs only whether the render escapes. Asked for the whole context inside a
    loop, Jinja would copy every name the render holds for each call."""
    from flask import render_template_string
    from jinja2.runtime import Context

    copies = []
    derived = Context.derived
    monkeypatch.setattr(
        Context, "derived", lambda self, *args: copies.append(1) or derived(self, *args)
    )
    with app.test_request_context():
        html = render_template_string(
            "{% for n in [1, 2] %}{% set label = '<b>' %}"
            "<p>{{ _('%(count)d of %(total)d: %(label)s', count=n, total=2, label=label) }}</p>"
            "{{ ngettext('%(num)d lesson', '%(num)d lessons', n) }}{% endfor %}"
            "{% autoescape false %}{{ _('Raw %(tag)s', tag='<i>') }}{% endautoescape %}"
            "|{{ _('%(done)d%% of <b>%(total)s</b>', done=50, total=2.5) }}",
        )
    assert html == (
        "<p>1 of 2: &lt;b&gt;</p>1 lesson<p>2 of 2: &lt;b&gt;</p>2 lessonsRaw <i>|50% of <b>2.5</b>"
    )
    assert copies == []
