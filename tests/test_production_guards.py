"""A production site never gets demo accounts by accident, nor emails with links to nowhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from school.accounts import services
from school.accounts.models import User
from school.extensions import db
from school.mail.models import OutboxMessage
from school.mail.services import send_committed
from school.web_urls import SiteURLMissing
from tests.conftest import link_in


def accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_seed_demo_refuses_in_production(app, runner):
    app.config["SCHOOL_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "production" in result.output and "--force" in result.output
    assert accounts() == 0


def test_seed_demo_in_production_when_forced(app, runner):
    app.config["SCHOOL_ENV"] = "production"
    assert runner.invoke(args=["seed-demo", "--force"]).exit_code == 0
    assert accounts() > 0


def test_seed_demo_in_development_as_make_run_does(app, runner):
    app.config["SCHOOL_ENV"] = "development"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Staff login" in result.output


def test_in_production_no_email_is_written_until_site_url_is_set(app, smtp, student):
    app.config.update(SCHOOL_ENV="production", SITE_URL="")
    with pytest.raises(SiteURLMissing):
        services.request_password_reset(student.email, "en")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert smtp.messages == []


def test_in_production_queued_mail_waits_until_site_url_is_set(app, runner, smtp, student):
    services.request_password_reset(student.email, "en")  # queued while SITE_URL was set
    db.session.info.clear()  # not sent at the end of this context: left for `mail send`
    app.config.update(SCHOOL_ENV="production", SITE_URL="")
    refused = runner.invoke(args=["mail", "send"])
    assert refused.exit_code != 0 and "SITE_URL" in refused.output
    assert smtp.messages == []

    app.config["SITE_URL"] = "https://school.example"
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert smtp.last_to(student.email)["Subject"] == "Reset your password"


def test_outside_production_links_point_to_the_development_server(app, smtp, student):
    app.config.update(SCHOOL_ENV="development", SITE_URL="")
    services.request_password_reset(student.email, "en")
    send_committed()
    link = link_in(smtp.last_to(student.email), "/reset-password/")
    assert link.startswith("http://127.0.0.1:5000/reset-password/")
