from flask import render_template

from school.courses import bp


@bp.route("/courses")
def catalogue():
    return render_template("courses/catalogue.html", courses=[])
