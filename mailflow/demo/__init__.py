"""`mailflow demo`: a whole IN-13 year on one machine, with no servers to install.

:mod:`mailflow.demo.servers` runs the IMAP and SMTP servers inside the process. Must not:
take any shortcut around the real mail path (intake, procedure, outbox) it demonstrates.
"""
