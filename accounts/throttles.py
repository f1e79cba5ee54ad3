from config.api.throttling import BodyFieldThrottle, ClientAddressThrottle


class LoginIPThrottle(ClientAddressThrottle):
    scope = "login_ip"


class LoginEmailThrottle(BodyFieldThrottle):
    scope = "login_email"


class PasswordResetEmailThrottle(BodyFieldThrottle):
    scope = "password_reset_email"
