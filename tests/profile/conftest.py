"""Every privacy test that uses ``app`` leaves only files a declared store accounts for."""

import pytest


@pytest.fixture(autouse=True)
def _every_file_is_declared(instance_audit):
    """See ``tests.conftest.instance_audit``."""
