"""Account forms: shape only; rules that need the database live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Full name (as on your certificates)"), validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        _l("Password (at least 10 characters)"), validators=[DataRequired(), Length(max=1000)]
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("es", "Español")]
    )
