"""The demo school comes with filled-in profiles, so every page has something to show."""

from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from school.profile.models import LanguageLevel, Profile


def test_demo_students_have_profiles_and_language_levels(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    anna = db.session.scalar(select(User).where(User.email == "anna@lingua.example"))
    assert db.session.get(Profile, anna.id).phone == "+48 600 100 200"
    levels = db.session.scalars(select(LanguageLevel).where(LanguageLevel.user_id == anna.id))
    assert len(levels.all()) == 3
