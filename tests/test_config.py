"""Settings from the environment: every documented key is read, with its type."""

from school.config import _apply_environment


def test_environment_settings_are_read_with_their_types(monkeypatch):
    monkeypatch.setenv("INTAKE_IMAP_HOST", "imap.example.org")
    monkeypatch.setenv("INTAKE_IMAP_PORT", "1993")
    monkeypatch.setenv("INTAKE_IMAP_TLS", "false")
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", "from-the-environment")
    monkeypatch.setenv("PRIVACY_JURISDICTION", "EU")
    monkeypatch.setenv("MINOR_AGE", "14")
    monkeypatch.setenv("PRIVACY_AUTO_APPROVE_EXPORTS", "yes")
    config: dict = {}
    _apply_environment(config)
    assert config["INTAKE_IMAP_HOST"] == "imap.example.org"
    assert config["INTAKE_IMAP_PORT"] == 1993
    assert config["INTAKE_IMAP_TLS"] is False
    assert config["INTAKE_IMAP_PASSWORD"] == "from-the-environment"
    assert config["PRIVACY_JURISDICTION"] == "EU"
    assert config["MINOR_AGE"] == 14
    assert config["PRIVACY_AUTO_APPROVE_EXPORTS"] is True
