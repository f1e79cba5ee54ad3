from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import OneTimeToken, RefreshSession, TokenFamily, User
from config.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Users without their password hash: staff see and change everything else."""

    list_display = ["email", "username", "email_verified", "is_active", "is_staff", "created_at"]
    list_filter = ["email_verified", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "username"]
    ordering = ["-created_at"]
    readonly_fields = ["id", "token_generation", "last_login", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["id", "email", "username", "email_verified", "preferences"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("History", {"fields": ["token_generation", "last_login", "created_at", "updated_at"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["deactivate_users", "activate_users"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts are created by registration or `manage.py createsuperuser`, which set a
        # password; the admin never handles passwords.
        return False

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        if change and "is_active" in getattr(form, "changed_data", []):
            services.user_set_active(user=obj, active=obj.is_active)
        super().save_model(request, obj, form, change)

    @admin.action(description="Deactivate selected users (ends their sessions)")
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description="Activate selected users")
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], *, active: bool) -> None:
        users = list(queryset.filter(is_active=not active))
        for user in users:
            services.user_set_active(user=user, active=active)
        verb = "Activated" if active else "Deactivated"
        self.message_user(request, f"{verb} {len(users)} user(s).", messages.SUCCESS)


@admin.register(RefreshSession)
class RefreshSessionAdmin(ReadOnlyAdmin):
    list_display = ["user", "family", "created_at", "expires_at", "rotated_at", "ended_at"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter), ("rotated_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user", "family"]
    fields = ["user", "family", "created_at", "expires_at", "rotated_at", "ended_at"]


@admin.register(TokenFamily)
class TokenFamilyAdmin(ReadOnlyAdmin):
    """Logins; a revoked one had a rotated refresh token replayed (taken for theft)."""

    list_display = ["user", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["id", "user", "created_at", "revoked_at"]


@admin.register(OneTimeToken)
class OneTimeTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "purpose", "created_at", "expires_at", "used_at"]
    list_filter = ["purpose", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "purpose", "created_at", "expires_at", "used_at"]
