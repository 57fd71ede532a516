from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("E-mail: please enter the address you log in with.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Password: please enter your password.")), Length(max=200)])
