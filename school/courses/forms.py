from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from school.courses.models import FORMAT_LABELS, Format, Level
from school.forms import SchoolForm, required_choices, select_choices

REQUIRED = _l("This field is required.")
PICTURE_TYPES = "image/jpeg,image/png,image/webp"
ANY = ("", _l("Any"))


class CatalogueFilterForm(SchoolForm):
    """The catalogue's filters: a GET form, so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    language = SelectField(_l("Language taught"), validators=[Optional()], validate_choice=False)
    level = SelectField(
        _l("Level"),
        choices=select_choices([ANY] + [(level.value, level.value) for level in Level]),
        validators=[Optional()],
        validate_choice=False,
    )
    format = SelectField(
        _l("Format"),
        choices=select_choices([ANY] + [(f.value, label) for f, label in FORMAT_LABELS.items()]),
        validators=[Optional()],
        validate_choice=False,
    )
    submit = SubmitField(_l("Show courses"))


class CourseForm(SchoolForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=150)])
    slug = StringField(
        _l("Address (optional)"),
        validators=[
            Optional(),
            Length(max=70),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and single hyphens."),
            ),
        ],
    )
    summary = StringField(_l("One-line summary"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=20000)])
    language = SelectField(_l("Language taught"), validators=[DataRequired(REQUIRED)])
    level = SelectField(
        _l("CEFR level"),
        choices=required_choices((level.value, level.value) for level in Level),
        validators=[DataRequired(REQUIRED)],
    )
    format = SelectField(
        _l("Format"),
        choices=required_choices((f.value, label) for f, label in FORMAT_LABELS.items()),
        validators=[DataRequired(REQUIRED)],
    )
    schedule = StringField(_l("Schedule"), validators=[DataRequired(REQUIRED), Length(max=200)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired(REQUIRED)])
    teacher_name = StringField(_l("Teacher"), validators=[DataRequired(REQUIRED), Length(max=120)])
    price = DecimalField(
        _l("Price"),
        places=2,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(
                min=Decimal("0"), max=Decimal("1000000"), message=_l("Enter a price from 0.")
            ),
        ],
    )
    currency = SelectField(
        _l("Currency"), choices=select_choices((c, c) for c in ("EUR", "BYN", "USD"))
    )
    seats = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=500, message=_l("Between 1 and 500 seats.")),
        ],
    )
    published = BooleanField(_l("Shown in the catalogue"), default=True)
    syllabus = TextAreaField(
        _l("Syllabus: one lesson per line, optionally “Title: what it covers”"),
        validators=[Length(max=20000)],
    )
    image = FileField(_l("Course picture"), render_kw={"accept": PICTURE_TYPES})
    remove_image = BooleanField(_l("Remove the course picture"))
    teacher_photo = FileField(_l("Teacher's photo"), render_kw={"accept": PICTURE_TYPES})
    remove_teacher_photo = BooleanField(
        _l("Remove the teacher's photo (do so at once if the teacher asks)")
    )
    submit = SubmitField(_l("Save course"))


FORMATS = {f.value: f for f in Format}
