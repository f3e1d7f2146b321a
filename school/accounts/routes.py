"""Account pages: parse the form, call one service, answer."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from school.accounts import bp, services
from school.accounts.forms import (
    EmailChangeForm,
    GuardianConsentForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ResendConfirmationForm,
    SignInByLinkForm,
    SignInLinkRequestForm,
    SignOutEverywhereForm,
    SignupForm,
)
from school.extensions import limiter
from school.i18n import current_language
from school.privacy.consent.ledger import consent_wording, current_policy
from school.privacy.consent.models import ConsentPurpose
from school.security import TokenError, is_safe_redirect


def _failed(response) -> bool:
    return response.status_code == 401


def _fresh_session() -> None:
    """Start a new session at sign-in and sign-out (no fixation), keeping the language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def _token_failure(error: TokenError, expired_message: str):
    if error.reason == "expired":
        message = expired_message
    else:
        message = _("This link is not valid. It may have been used already or copied incompletely.")
    return render_template("accounts/link_problem.html", message=message), 400


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_IP"], methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignupForm()
    policy = current_policy()
    if is_safe_redirect(request.args.get("next")):
        # Where the visitor was going (a course's enrolment form): back there after sign-in.
        session["return_to"] = request.args["next"]
    if form.validate_on_submit():
        services.register(
            services.SignupRequest(
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
                marketing_consent=form.marketing_consent.data,
                language=current_language(),
                ip_address=request.remote_addr,
                date_of_birth=form.date_of_birth.data,
                guardian_name=form.guardian_name.data,
                guardian_email=form.guardian_email.data,
            )
        )
        # The same answer whether or not the address already had an account.
        return redirect(url_for("accounts.check_email"))
    language = current_language()
    return render_template(
        "accounts/signup.html",
        form=form,
        policy=policy,
        # The exact sentences the ledger records, so what is shown is what is proven.
        processing_wording=consent_wording(ConsentPurpose.PROCESSING, language, policy),
        marketing_wording=consent_wording(ConsentPurpose.MARKETING, language, policy),
        minor_age=current_app.config["MINOR_AGE"],
    )


@bp.route("/signup/guardian/<token>", methods=["GET", "POST"])
def guardian_consent(token):
    """The page a parent or guardian reaches from their email, to consent for a minor."""
    expired = _(
        "This link has expired. The person who signed up can have a new one sent to you from "
        "the page for a new confirmation link."
    )
    try:
        user = services.user_for_guardian_token(token)
    except TokenError as error:
        return _token_failure(error, expired)
    form = GuardianConsentForm()
    language = current_language()
    if not user.awaits_guardian:
        return render_template("accounts/guardian_done.html", user=user, already=True)
    if form.validate_on_submit():
        try:
            result, user = services.give_guardian_consent(
                token,
                language=language,
                ip_address=request.remote_addr,
                marketing_consent=form.marketing_consent.data,
            )
        except TokenError as error:
            return _token_failure(error, expired)
        already = result is services.GuardianResult.ALREADY
        return render_template("accounts/guardian_done.html", user=user, already=already)
    policy = current_policy()
    return render_template(
        "accounts/guardian_consent.html",
        form=form,
        user=user,
        policy=policy,
        processing_wording=consent_wording(ConsentPurpose.PROCESSING, language, policy),
        marketing_wording=consent_wording(ConsentPurpose.MARKETING, language, policy),
    )


@bp.route("/signup/check-email")
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/confirm/<token>")
def confirm(token):
    try:
        result, user = services.confirm_email(token)
    except TokenError as error:
        return _token_failure(
            error, _("This confirmation link has expired. Ask for a new one below.")
        )
    if result is services.ConfirmResult.ALREADY:
        flash(_("Your address was already confirmed. You can log in."), "info")
    else:
        flash(_("Thank you, your address is confirmed. You can log in now."), "success")
    return redirect(url_for("accounts.login", next=session.pop("return_to", None)))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data, current_language())
        flash(
            _("If that address has an unconfirmed account, we have sent a new link to it."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        outcome, user = services.authenticate(
            form.email.data, form.password.data, request.remote_addr
        )
        if outcome is services.LoginOutcome.OK:
            _fresh_session()
            login_user(user, remember=form.remember.data)
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("pages.home"))
        if outcome is services.LoginOutcome.THROTTLED:
            # The same page whether or not the address has an account; its owner gets in
            # by an emailed link.
            offer = SignInLinkRequestForm(formdata=None, email=form.email.data)
            return render_template("accounts/login_throttled.html", form=offer), 429
        if outcome is services.LoginOutcome.UNCONFIRMED:
            flash(
                _(
                    "Please confirm your email address first: open the link we emailed you, "
                    "or ask for a new one."
                ),
                "warning",
            )
            return redirect(url_for("accounts.resend_confirmation"))
        if outcome is services.LoginOutcome.AWAITING_GUARDIAN:
            form.form_errors.append(
                _(
                    "Your account is waiting for your parent or guardian's consent. We have "
                    "emailed them a link; you can log in once they have given it."
                )
            )
            return render_template("accounts/login.html", form=form, awaiting_guardian=True), 403
        form.form_errors.append(_("That email and password do not match an account."))
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            services.sign_out(current_user._get_current_object())
        logout_user()
        _fresh_session()
        flash(_("You are logged out."), "info")
        return redirect(url_for("pages.home"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])
def forgot_password():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, current_language())
        return render_template("accounts/reset_sent.html")
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    expired = _("This reset link has expired. Ask for a new one.")
    try:
        services.user_for_reset_token(token)
    except TokenError as error:
        return _token_failure(error, expired)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data, _current_sign_in())
        except TokenError as error:
            return _token_failure(error, expired)
        if current_user.is_authenticated and current_user.id == user.id:
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.settings"))
        logout_user()
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _current_sign_in():
    """The sign-in this request runs under, or None for a visitor."""
    return current_user.current_sign_in if current_user.is_authenticated else None


def _settings_page(password_form=None, email_form=None):
    user = current_user._get_current_object()
    return render_template(
        "accounts/settings.html",
        password_form=password_form or PasswordChangeForm(prefix="pw"),
        email_form=email_form or EmailChangeForm(prefix="em"),
        everywhere_form=SignOutEverywhereForm(prefix="all"),
        sign_ins=services.live_sign_ins(user),
    )


@bp.route("/account")
@login_required
def settings():
    return _settings_page()


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    form = SignOutEverywhereForm(prefix="all")
    if not form.validate_on_submit():
        return _settings_page(), 400
    services.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("You are signed out on every device, this one included."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/sign-in-link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])
def request_sign_in_link():
    form = SignInLinkRequestForm()
    if form.validate_on_submit():
        services.request_sign_in_link(form.email.data, current_language())
        minutes = int(current_app.config["SIGN_IN_LINK_WITHIN"].total_seconds() // 60)
        return render_template("accounts/sign_in_link_sent.html", minutes=minutes)
    return render_template("accounts/sign_in_link.html", form=form)


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
def sign_in_by_link(token):
    """A page with a button: mail scanners follow links, and must not use the link up."""
    expired = _("This sign-in link has expired. Ask for a new one.")
    try:
        services.user_for_sign_in_link(token)
    except TokenError as error:
        return _token_failure(error, expired)
    form = SignInByLinkForm()
    if form.validate_on_submit():
        try:
            outcome, user = services.sign_in_by_link(token, request.remote_addr)
        except TokenError as error:
            return _token_failure(error, expired)
        if outcome is services.LoginOutcome.AWAITING_GUARDIAN:
            flash(
                _(
                    "Your account is waiting for your parent or guardian's consent. We have "
                    "emailed them a link; you can log in once they have given it."
                ),
                "warning",
            )
            return redirect(url_for("accounts.login"))
        _fresh_session()
        login_user(user)
        return redirect(url_for("pages.home"))
    return render_template("accounts/sign_in_by_link.html", form=form)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if services.change_password(user, form.current_password.data, form.password.data):
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.settings"))
        form.current_password.errors.append(_("That is not your current password."))
    return _settings_page(password_form=form), 400


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    form = EmailChangeForm(prefix="em")
    if form.validate_on_submit():
        outcome = services.request_email_change(
            current_user._get_current_object(), form.new_email.data, form.current_password.data
        )
        if outcome is services.EmailChangeOutcome.SENT:
            flash(
                _("We have sent a link to the new address. Your address changes when you open it."),
                "info",
            )
            return redirect(url_for("accounts.settings"))
        if outcome is services.EmailChangeOutcome.WRONG_PASSWORD:
            form.current_password.errors.append(_("That is not your current password."))
        else:
            form.new_email.errors.append(_("That is already your address."))
    return _settings_page(email_form=form), 400


@bp.route("/account/email/confirm/<token>")
def confirm_email_change(token):
    try:
        services.confirm_email_change(token, _current_sign_in())
    except TokenError as error:
        return _token_failure(error, _("This link has expired. Ask for the change again."))
    flash(_("Your email address is changed."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.settings"))
    return redirect(url_for("accounts.login"))
