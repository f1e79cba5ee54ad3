import uuid

from django.conf import settings
from django.db import models

DEFAULT_COLOR = "#3B82F6"
COLOR_REGEX = r"^#[0-9A-Fa-f]{6}$"
NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 5000


class Project(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    color = models.CharField(max_length=7, default=DEFAULT_COLOR)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["owner", "-updated_at"], name="projects_owner_updated_idx"),
            models.Index(fields=["owner", "created_at"], name="projects_owner_created_idx"),
            models.Index(fields=["owner", "name"], name="projects_owner_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(color__regex=COLOR_REGEX), name="projects_color_format"
            ),
            models.CheckConstraint(
                condition=models.Q(name__length__gte=1, name__length__lte=NAME_MAX_LENGTH),
                name="projects_name_length",
            ),
            models.CheckConstraint(
                condition=models.Q(description__length__lte=DESCRIPTION_MAX_LENGTH),
                name="projects_description_length",
            ),
        ]

    def __str__(self) -> str:
        return self.name
