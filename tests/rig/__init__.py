"""Real servers for tests: Dovecot (IMAP + LMTP), an SMTP relay into it, PostgreSQL.

``fixtures.py`` is the pytest plugin; ``.ci/install-system.sh`` installs what it needs.
"""
