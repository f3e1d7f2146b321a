"""Staff pages for creating and editing courses."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from school.courses import services
from school.courses.forms import CourseForm
from school.courses.models import Format, Level
from school.forms import required_choices
from school.pagination import paginate
from school.security import staff_blueprint

bp = staff_blueprint("course_admin", __name__, url_prefix="/admin/courses")


@bp.route("/", shows=None)
def courses():
    page = paginate(services.staff_course_list(), per_page=30)
    return render_template("courses/admin_list.html", page=page)


def _course_data(form: CourseForm) -> services.CourseData:
    return services.CourseData(
        title=form.title.data.strip(),
        slug=(form.slug.data or "").strip(),
        summary=form.summary.data.strip(),
        description=form.description.data,
        language=form.language.data,
        level=Level(form.level.data),
        format=Format(form.format.data),
        schedule=form.schedule.data.strip(),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        teacher_name=form.teacher_name.data.strip(),
        price_minor=int(form.price.data * 100),
        currency=form.currency.data,
        seats=form.seats.data,
        published=form.published.data,
        lessons=services.parse_syllabus(form.syllabus.data or ""),
        image=_picture_change(form.image.data, form.remove_image.data),
        teacher_photo=_picture_change(form.teacher_photo.data, form.remove_teacher_photo.data),
    )


def _picture_change(upload, remove: bool) -> services.PictureChange:
    """An upload counts only when a file was chosen; an empty file input sends no name."""
    chosen = upload is not None and getattr(upload, "filename", "")
    return services.PictureChange(upload=upload.stream if chosen else None, remove=bool(remove))


@bp.route("/new", methods=["GET", "POST"], shows=None)
@bp.route("/<slug>/edit", methods=["GET", "POST"], shows=None)
def edit(slug=None):
    course = None
    if slug is not None:
        course = services.course_by_slug(slug)
        if course is None:
            abort(404)
    form = CourseForm(obj=course)
    form.language.choices = required_choices(services.language_choices())
    if course is not None and not form.is_submitted():
        form.price.data = course.price_minor / 100
        form.syllabus.data = services.syllabus_text(course)
    if form.validate_on_submit():
        try:
            saved = services.save_course(course, _course_data(form))
        except services.CourseError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The course is saved."), "success")
            return redirect(url_for("course_admin.edit", slug=saved.slug))
    return render_template(
        "courses/admin_edit.html",
        form=form,
        course=course,
        max_picture_mb=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024),
    )
