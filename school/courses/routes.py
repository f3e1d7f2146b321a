"""Public course pages: parse the filters, ask the service, render."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, render_template, request

from school.courses import bp, services
from school.courses.forms import ANY, FORMATS, CatalogueFilterForm
from school.courses.models import Level
from school.forms import select_choices
from school.pagination import paginate

PER_PAGE = 12

# What else a course page shows (the enrolment package adds the form to ask for a place, or
# the person's open enrolment): provider(course) -> template variables.
CoursePageContext = Callable[[object], dict]
_course_page_context: list[CoursePageContext] = []


def register_course_page_context(provider: CoursePageContext) -> None:
    if provider not in _course_page_context:
        _course_page_context.append(provider)


def _filters(form: CatalogueFilterForm) -> services.CatalogueFilter:
    codes = {choice.value for choice in form.language.choices}
    levels = {level.value: level for level in Level}
    return services.CatalogueFilter(
        language=form.language.data if form.language.data in codes else None,
        level=levels.get(form.level.data or ""),
        format=FORMATS.get(form.format.data or ""),
    )


@bp.route("/courses")
def catalogue():
    form = CatalogueFilterForm(request.args)
    form.language.choices = select_choices([ANY, *services.language_choices()])
    filters = _filters(form)
    page = paginate(services.catalogue_query(filters), per_page=PER_PAGE)
    return render_template(
        "courses/catalogue.html", form=form, page=page, filter_args=filters.as_args()
    )


@bp.route("/courses/<slug>")
def course(slug):
    found = services.published_course(slug)
    if found is None:
        abort(404)
    context = {"form": None, "enrollment": None}
    for provide in _course_page_context:
        context.update(provide(found))
    return render_template("courses/course.html", course=found, **context)
