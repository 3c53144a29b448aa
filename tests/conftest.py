"""Shared fixtures. The real-server rig (Dovecot, SMTP relay, PostgreSQL) is a plugin."""

pytest_plugins = ["tests.rig.fixtures"]
