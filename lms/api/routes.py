"""Every API module, imported so their routes attach to the blueprint."""

from lms.api import (  # noqa: F401
    accounts,
    admin,
    catalog,
    certificates,
    courses_admin,
    learning,
    openapi,
    orgs,
    quizzes,
)
from lms.api.common import bp

__all__ = ["bp"]
