"""The oversight tests read the workflow tests' small prefecture."""

from tests.guidance.conftest import world  # noqa: F401
