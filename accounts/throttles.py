from accounts.addresses import email_key
from config.api.throttling import BodyFieldThrottle, ClientAddressThrottle, UserRateThrottle


class LoginIPThrottle(ClientAddressThrottle):
    scope = "login_ip"


class EmailThrottle(BodyFieldThrottle):
    """Per e-mail address in its canonical form (accounts/addresses.py), so case variants and
    a fullwidth domain share one counter."""

    def fold(self, value: str) -> str:
        return email_key(value) or value.strip().lower()


class LoginEmailThrottle(EmailThrottle):
    """Login attempts per address; wrong current passwords at the password change count here
    too (SPEC §3), and the admin login shares it."""

    scope = "login_email"


class PasswordResetEmailThrottle(EmailThrottle):
    scope = "password_reset_email"


class VerificationEmailThrottle(UserRateThrottle):
    """Verification e-mails asked for again, per user (the registration e-mail not counted)."""

    scope = "verification_email"
