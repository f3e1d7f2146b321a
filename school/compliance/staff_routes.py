"""Staff pages: the registers of processors and transfers, authority inquiries and breaches."""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from school.compliance import services
from school.compliance.forms import (
    BreachForm,
    BreachNotifiedForm,
    InquiryAnswerForm,
    InquiryForm,
    ProcessorForm,
)
from school.compliance.models import AuthorityInquiry, Breach, Processor
from school.database import utcnow
from school.extensions import db
from school.privacy.data.recipients import home_country
from school.security import staff_blueprint

bp = staff_blueprint("compliance", __name__, url_prefix="/admin/registers")


@bp.route("/", shows=None)
def overview():
    return render_template(
        "compliance/overview.html",
        processors=db.session.scalars(select(Processor).order_by(Processor.name)).all(),
        inquiries=db.session.scalars(
            select(AuthorityInquiry).order_by(AuthorityInquiry.due_on.desc()).limit(50)
        ).all(),
        breaches=db.session.scalars(
            select(Breach).order_by(Breach.discovered_at.desc()).limit(50)
        ).all(),
        deadlines=services.deadlines(),
        home_country=home_country(),
        today=utcnow().date(),
        now=utcnow(),
    )


@bp.route("/processors/new", methods=["GET", "POST"], shows=None)
@bp.route("/processors/<int:processor_id>", methods=["GET", "POST"], shows=None)
def processor(processor_id=None):
    existing = db.get_or_404(Processor, processor_id) if processor_id else None
    form = ProcessorForm(obj=existing)
    if form.validate_on_submit():
        services.save_processor(
            existing,
            name=form.name.data.strip(),
            service=form.service.data.strip(),
            data_categories=form.data_categories.data.strip(),
            country=form.country.data,
            transfer_ground=(form.transfer_ground.data or "").strip(),
            contract_signed_on=form.contract_signed_on.data,
            active=form.active.data,
        )
        flash(_("The register of processors is saved."), "success")
        return redirect(url_for("compliance.overview"))
    return render_template("compliance/processor.html", form=form, processor=existing)


@bp.route("/inquiries/new", methods=["GET", "POST"], shows=None)
def new_inquiry():
    form = InquiryForm()
    if form.validate_on_submit():
        inquiry = services.record_inquiry(
            authority=form.authority.data.strip(),
            reference=(form.reference.data or "").strip(),
            subject=form.subject.data.strip(),
            received_on=form.received_on.data,
            staff=current_user,
        )
        flash(
            _("Inquiry recorded. Answer by %(date)s.", date=inquiry.due_on.isoformat()), "success"
        )
        return redirect(url_for("compliance.overview"))
    return render_template("compliance/inquiry.html", form=form, inquiry=None)


@bp.route("/inquiries/<int:inquiry_id>", methods=["GET", "POST"], shows=None)
def inquiry(inquiry_id):
    record = db.get_or_404(AuthorityInquiry, inquiry_id)
    form = InquiryAnswerForm(obj=record)
    if form.validate_on_submit():
        services.answer_inquiry(
            record,
            answered_on=form.answered_on.data,
            summary=form.answer_summary.data.strip(),
            staff=current_user,
        )
        flash(_("The answer is recorded."), "success")
        return redirect(url_for("compliance.overview"))
    return render_template("compliance/inquiry.html", form=form, inquiry=record)


@bp.route("/breaches/new", methods=["GET", "POST"], shows=None)
def new_breach():
    form = BreachForm()
    if form.validate_on_submit():
        breach = services.record_breach(
            discovered_at=form.discovered_at.data.replace(tzinfo=UTC),
            description=form.description.data.strip(),
            data_categories=form.data_categories.data.strip(),
            people_affected=form.people_affected.data or 0,
            likely_consequences=(form.likely_consequences.data or "").strip(),
            measures=(form.measures.data or "").strip(),
            staff=current_user,
        )
        return redirect(url_for("compliance.breach", breach_id=breach.id))
    return render_template("compliance/breach_new.html", form=form)


@bp.route("/breaches/<int:breach_id>", methods=["GET", "POST"], shows=None)
def breach(breach_id):
    record = db.get_or_404(Breach, breach_id)
    form = BreachNotifiedForm()
    if form.validate_on_submit():
        services.mark_breach_notified(
            record, authority=bool(form.authority.data), people=bool(form.people.data)
        )
        flash(_("Notification recorded."), "success")
        return redirect(url_for("compliance.breach", breach_id=record.id))
    return render_template("compliance/breach.html", breach=record, form=form, now=utcnow())
