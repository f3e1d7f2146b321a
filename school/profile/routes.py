"""A student's own profile pages, the photo, "My data", and the public registry page."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from school import pictures
from school.i18n import LANGUAGE_NAMES
from school.pagination import paginate
from school.privacy.data import holdings
from school.privacy.data.personal_data import subject_of
from school.profile import bp, services
from school.profile.forms import (
    DeletePhotoForm,
    LanguageLevelForm,
    PhotoForm,
    ProfileForm,
    RemoveLanguageForm,
)
from school.profile.models import Level

# Entries of "who looked at my data" on one page; a list a student scrolls, not an archive.
ACCESSES_PER_PAGE = 25


def _me():
    return current_user._get_current_object()


def _profile_page(form=None, photo_form=None, level_form=None, status=200):
    user = _me()
    profile = services.profile_of(user)
    if form is None:
        form = ProfileForm(obj=profile)
        form.full_name.data = user.full_name
        form.locale.data = user.locale
    return (
        render_template(
            "profile/edit.html",
            form=form,
            photo_form=photo_form or PhotoForm(),
            delete_photo_form=DeletePhotoForm(prefix="del"),
            level_form=level_form or LanguageLevelForm(prefix="level"),
            remove_level_form=RemoveLanguageForm(prefix="rm"),
            profile=profile,
            levels=services.language_levels(user),
            language_label=services.language_label,
            max_photo_mb=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit():
    if request.method == "GET":
        return _profile_page()
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile_page(form=form, status=400)
    services.update_profile(
        _me(),
        services.ProfileChanges(
            full_name=form.full_name.data,
            locale=form.locale.data,
            **{name: getattr(form, name).data for name in services.PROFILE_FIELDS},
        ),
    )
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("profile.edit"))


@bp.route("/profile/photo", methods=["POST"])
@login_required
def upload_photo():
    form = PhotoForm()
    if not form.validate_on_submit():
        return _profile_page(photo_form=form, status=400)
    upload = form.photo.data
    if upload is None or not getattr(upload, "filename", None):
        form.photo.errors.append(_("Choose a photo to upload."))
        return _profile_page(photo_form=form, status=400)
    try:
        services.replace_photo(_me(), upload.stream, current_app.config["PHOTO_MAX_BYTES"])
    except pictures.PhotoError as error:
        form.photo.errors.append(str(error.message))
        return _profile_page(photo_form=form, status=400)
    flash(_("Your photo is saved. We removed its hidden metadata."), "success")
    return redirect(url_for("profile.edit"))


@bp.errorhandler(413)
def upload_too_large(error):
    """A body over MAX_CONTENT_LENGTH is refused before it is read; say so kindly."""
    limit = current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024)
    return (
        render_template(
            "errors/error.html",
            title=_("This file is too large"),
            message=_(
                "A photo may be at most %(size)d MB. Nothing was changed. Please go back and "
                "choose a smaller file.",
                size=limit,
            ),
        ),
        413,
    )


@bp.route("/profile/photo/delete", methods=["POST"])
@login_required
def delete_photo():
    if DeletePhotoForm(prefix="del").validate_on_submit() and services.delete_photo(_me()):
        flash(_("Your photo is removed."), "success")
    return redirect(url_for("profile.edit"))


def send_photo(name: str):
    """Send a stored photo, never cached by shared caches nor kept by the browser."""
    try:
        path = pictures.photo_path(name)
        if not path.is_file():
            abort(404)
    except FileNotFoundError:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/profile/photo")
@login_required
def my_photo():
    profile = services.profile_of(_me())
    if profile is None or not profile.photo_file:
        abort(404)
    return send_photo(profile.photo_file)


@bp.route("/profile/languages", methods=["POST"])
@login_required
def add_language():
    form = LanguageLevelForm(prefix="level")
    if not form.validate_on_submit():
        return _profile_page(level_form=form, status=400)
    services.set_language_level(_me(), form.language.data, Level(form.level.data))
    flash(_("Your language levels are saved."), "success")
    return redirect(url_for("profile.edit"))


@bp.route("/profile/languages/<code>/remove", methods=["POST"])
@login_required
def remove_language(code):
    if RemoveLanguageForm(prefix="rm").validate_on_submit():
        services.remove_language_level(_me(), code)
        flash(_("The language is removed."), "success")
    return redirect(url_for("profile.edit"))


def _formatters():
    """Values that read better in words than as stored; the page keeps the stored value too."""

    def language(code):
        return LANGUAGE_NAMES.get(code, code)

    return {
        **holdings.registered_words(),
        "user.locale": language,
        "consent_record.language": language,
        "privacy_request.language": language,
        "newsletter_subscriber.locale": language,
        "language_level.language": services.language_label,
        "profile.photo_file": lambda name: _("stored (shown on your profile page)"),
    }


@bp.route("/profile/my-data")
@login_required
def my_data():
    """Every record held about the person, a page of each kind; ``?kind=&page=`` pages one."""
    user = _me()
    return render_template(
        "profile/my_data.html",
        data=holdings.my_data(
            subject_of(user),
            kind=request.args.get("kind"),
            page=request.args.get("page", 1, type=int),
        ),
        write=holdings.ValueWriter(_formatters()),
        accesses=paginate(services.access_query(user), ACCESSES_PER_PAGE, parameter="looks"),
        reason_label=services.reason_label,
        page_label=services.page_label,
    )


@bp.route("/privacy/data")
def what_we_hold():
    """The public page: every kind of personal data the site stores, why and how long."""
    return render_template(
        "privacy/what_we_hold.html",
        sections=holdings.what_we_hold(),
        stores=holdings.stores_beyond_the_database(),
    )
