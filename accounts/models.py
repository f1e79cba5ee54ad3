import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower

from accounts.addresses import email_key, email_normalize

USERNAME_REGEX = r"^[A-Za-z0-9_.-]{3,30}$"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        """By e-mail, in its canonical form (accounts/addresses.py): a look-alike finds no one."""
        key = email_key(username or "")
        if key is None:
            raise self.model.DoesNotExist("No user with this e-mail address.")
        return self.get(email__lower=key)

    def create_user(self, email: str, username: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(email=email_normalize(email), username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, username: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified", True)
        return self.create_user(email, username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    username = models.CharField(max_length=30)
    email_verified = models.BooleanField(default=False)
    preferences = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    # Bumped on password change/reset and deactivation: tokens carry the generation they were
    # issued under, and any older one is refused (SPEC §3).
    token_generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(username__regex=USERNAME_REGEX),
                name="accounts_user_username_format",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class TokenFamily(models.Model):
    """One login: every refresh token rotated from it and the access tokens issued with them
    carry its id. A rotated refresh token presented again after the grace is taken for a
    stolen one, and the whole family is revoked (SPEC §3, OAuth 2.0 Security BCP §4.14.2)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_families")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "token families"
        indexes = [models.Index(fields=["created_at"], name="accounts_family_created_idx")]

    def __str__(self) -> str:
        return f"login {self.pk} of {self.user_id}"


class RefreshSession(models.Model):
    """One issued refresh token, by its ``jti`` (the token itself is never stored).

    Rotation marks the row rotated (and ended) and issues a new one in the same family; logout
    ends it. A token whose row is ended or missing is refused."""

    jti = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_sessions")
    # Null only for sessions issued before families existed.
    family = models.ForeignKey(
        TokenFamily, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="accounts_refresh_expires_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.jti}"


class OneTimeToken(models.Model):
    """E-mail verification and password reset tokens: random, stored as a SHA-256 hash,
    single-use, expiring."""

    class Purpose(models.TextChoices):
        VERIFY_EMAIL = "VERIFY_EMAIL", "Verify e-mail"
        RESET_PASSWORD = "RESET_PASSWORD", "Reset password"

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "purpose"], name="accounts_ott_user_purpose_idx"),
            models.Index(fields=["expires_at"], name="accounts_ott_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=["VERIFY_EMAIL", "RESET_PASSWORD"]),
                name="accounts_ott_purpose_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.user_id}"
