from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.callers import caller
from config.api.objects import OwnedObjectViewSet
from config.api.permissions import IsOwner
from config.api.router import UUID_REGEX
from config.api.schema import error_responses
from projects import services
from projects.models import Project
from projects.selectors import project_list, project_with_task_count
from projects.serializers import ProjectInputSerializer, ProjectSerializer

PROJECT_LIST_PARAMETERS = [
    OpenApiParameter("archived", OpenApiTypes.STR, enum=["true", "false"], description="Default: both."),
    OpenApiParameter(
        "search",
        {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
        description="Case-insensitive substring of the name (surrounding spaces are ignored).",
    ),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"],
        description="Default: -updated_at.",
    ),
]


@extend_schema(tags=["projects"])
@extend_schema_view(
    list=extend_schema(
        summary="The caller's projects",
        parameters=PROJECT_LIST_PARAMETERS,
        responses={200: ProjectSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    create=extend_schema(
        summary="Create a project",
        request=ProjectInputSerializer,
        responses={201: ProjectSerializer, **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A project", responses={200: ProjectSerializer, **error_responses(401, 403, 404)}
    ),
    update=extend_schema(
        summary="Replace a project",
        description="Full update: `name` is required; description, color and archived fall back to "
        "their defaults when left out.",
        request=ProjectInputSerializer,
        responses={200: ProjectSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a project",
        request=ProjectInputSerializer(partial=True),
        responses={200: ProjectSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a project and all its tasks", responses={204: None, **error_responses(401, 403, 404)}
    ),
)
class ProjectViewSet(OwnedObjectViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
    serializer_class = ProjectSerializer
    lookup_value_regex = UUID_REGEX
    queryset = Project.objects.none()

    not_found_message = "No project with this id."

    def find_object(self, pk: str) -> Project | None:
        return project_with_task_count(project_id=pk)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(project_list(user=caller(request), params=request.query_params))
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = ProjectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(owner=caller(request), **serializer.validated_data)
        return Response(self._present(project), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ProjectSerializer(self.get_object()).data)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.project_delete(project=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, *, partial: bool) -> Response:
        project = self.get_object()
        serializer = ProjectInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        project = services.project_update(
            project=project, changes=serializer.validated_data, replace=not partial
        )
        return Response(self._present(project))

    def _present(self, project: Project) -> dict:
        return ProjectSerializer(project_with_task_count(project_id=project.pk)).data
