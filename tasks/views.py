from typing import cast

from django.db.models import QuerySet, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.callers import caller
from config.api.errors import ConflictError
from config.api.objects import OwnedObjectViewSet
from config.api.permissions import IsOwner
from config.api.router import UUID_REGEX
from config.api.schema import error_responses
from config.db import CountedRows, KeyedRows
from config.errors import NotFound
from labels.selectors import TASK_LABELS
from projects.models import Project
from tasks import quick, services
from tasks.models import Priority, Status, Task
from tasks.schema_examples import CREATE_EXAMPLES, QUICK_ADD_DESCRIPTION, QUICK_ADD_EXAMPLES, UPDATE_EXAMPLES
from tasks.selectors import SORT_FIELDS, task_completions, task_list
from tasks.serializers import (
    BulkResultSerializer,
    BulkUpdateSerializer,
    CompletionSerializer,
    PreviewSerializer,
    QuickAddedSerializer,
    QuickAddSerializer,
    TaskConflictSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)

TASK_LIST_PARAMETERS = [
    *(
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            many=True,
            enum=list(enum.labels),
            style="form",
            explode=True,
            description=f"Repeatable (`{name}={enum.labels[0]}&{name}={enum.labels[-1]}`) or comma-separated "
            f"(`{name}={enum.labels[0]},{enum.labels[-1]}`), or both: tasks with any of them. An empty or "
            "unknown name is a 400.",
        )
        for name, enum in (("status", Status), ("priority", Priority))
    ),
    OpenApiParameter(
        "search",
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        description="Case-insensitive substring of title or description (surrounding spaces are ignored). "
        "The page's `count` of a search is cached per user (SEARCH_COUNT_CACHE_SECONDS, 60 s); every change "
        "to the caller's tasks or projects through the API ends it at once.",
    ),
    OpenApiParameter(
        "label",
        {"type": "array", "items": {"type": "string", "minLength": 1}},
        style="form",
        explode=True,
        description="Label names, repeatable (`label=home&label=errands`) or comma-separated "
        "(`label=home,errands`): tasks carrying any of them, matched case-insensitively; a name the caller "
        "has no label for matches nothing. Combines with every other filter and sort. An empty name is a "
        "400.",
    ),
    OpenApiParameter(
        "due_date_from",
        OpenApiTypes.STR,
        allow_blank=False,
        description="Inclusive, on the due moment (an all-day task is due at the end of its day in the "
        "owner's time zone). An ISO 8601 date-time (UTC when it has no offset) or a date `YYYY-MM-DD`: "
        "from the start of that day in the caller's time zone (`preferences.timezone`), all-day tasks of "
        "that day on.",
    ),
    OpenApiParameter(
        "due_date_to",
        OpenApiTypes.STR,
        allow_blank=False,
        description="Inclusive, on the due moment. An ISO 8601 date-time (UTC when it has no offset) or a "
        "date `YYYY-MM-DD`: to the end of that day in the caller's time zone, which is where that day's "
        "all-day tasks are due (a timed task at the next midnight belongs to the next day).",
    ),
    OpenApiParameter(
        "sort_by",
        OpenApiTypes.STR,
        enum=list(SORT_FIELDS),
        description="Default: the board order (status TODO, IN_PROGRESS, DONE, then position). Priority "
        "sorts by rank. `due_date` orders timed and all-day tasks together by their due moment (an all-day "
        "task's is the end of its day in the owner's time zone); tasks without a due come last in both "
        "directions.",
    ),
    OpenApiParameter(
        "sort_order",
        OpenApiTypes.STR,
        enum=["asc", "desc"],
        description="Default asc; applies to the default order too.",
    ),
]


def paginated(view: GenericViewSet, rows: CountedRows[Task] | KeyedRows[Task]) -> Response:
    """A page of ``rows`` with its links: DRF's paginator needs only ``count()`` and slicing."""
    page = view.paginate_queryset(cast(QuerySet[Task], rows))
    return view.get_paginated_response(TaskSerializer(page, many=True).data)


def version_conflict(exc: services.TaskVersionConflict) -> ConflictError:
    return ConflictError(
        "The task was changed by someone else; see `current` for the stored version.",
        extra={"current": TaskSerializer(exc.task).data},
    )


@extend_schema(tags=["tasks"])
@extend_schema_view(
    list=extend_schema(
        summary="The caller's tasks across projects",
        parameters=[
            *TASK_LIST_PARAMETERS,
            OpenApiParameter("project_id", OpenApiTypes.UUID, description="Only this project's tasks."),
        ],
        responses={200: TaskSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="A task", responses={200: TaskSerializer, **error_responses(401, 403, 404)}
    ),
    partial_update=extend_schema(
        summary="Change a task: fields, status and/or position",
        description="Setting `position` and/or `status` moves the task to that index of the target column; "
        "a status change without `position` puts it at the end of the new column. With `version`, "
        "the change applies only if it is the stored version (else 409 with `current`). Completing (status "
        "DONE) a recurring task that has a next occurrence records a completion and moves it there: due "
        "advanced, status TODO at the end of its column, `completed_at` null (SPEC §12).",
        request=TaskUpdateSerializer,
        examples=UPDATE_EXAMPLES,
        responses={200: TaskSerializer, 409: TaskConflictSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(summary="Delete a task", responses={204: None, **error_responses(401, 403, 404)}),
)
class TaskViewSet(OwnedObjectViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
    serializer_class = TaskSerializer
    lookup_value_regex = UUID_REGEX
    queryset = Task.objects.none()
    http_method_names = ["get", "patch", "delete", "post", "head", "options"]

    not_found_message = "No task with this id."

    def find_object(self, pk: str) -> Task | None:
        return Task.objects.select_related("place").filter(pk=pk).first()

    def list(self, request: Request) -> Response:
        return paginated(self, task_list(user=caller(request), params=request.query_params))

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TaskSerializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        serializer = TaskUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        expected_version = changes.pop("version", None)
        try:
            task = services.task_update(task=task, changes=changes, expected_version=expected_version)
        except services.TaskVersionConflict as exc:
            raise version_conflict(exc) from None
        return Response(TaskSerializer(task).data)

    def destroy(self, request: Request, pk: str) -> Response:
        services.task_delete(task=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Skip a recurring task's current occurrence",
        description="The task moves to its next occurrence without a completion being recorded; its status "
        "stays. With no occurrence left it becomes DONE. A task without a rule is a 400 on `recurrence`.",
        request=None,
        responses={200: TaskSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: str) -> Response:
        return Response(TaskSerializer(services.task_skip(task=self.get_object())).data)

    @extend_schema(
        summary="Quick add, read only: what a line of text would give",
        description="Reads the text as `POST /projects/{id}/tasks/quick` does, in the caller's time zone, "
        "and creates nothing (no task, no label). The same 400s on `text`.",
        request=QuickAddSerializer,
        responses={200: PreviewSerializer, **error_responses(400, 401)},
    )
    @action(detail=False, methods=["post"], url_path="quick/preview")
    def quick_preview(self, request: Request) -> Response:
        serializer = QuickAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parsed = quick.quick_read(text=serializer.validated_data["text"], user=caller(request))
        return Response({"parsed": quick.parsed_json(parsed)})

    @extend_schema(
        summary="A recurring task's completions, newest first",
        responses={200: CompletionSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def completions(self, request: Request, pk: str) -> Response:
        page = self.paginate_queryset(task_completions(task=self.get_object()))
        return self.get_paginated_response(CompletionSerializer(page, many=True).data)

    @extend_schema(
        summary="Update up to 100 tasks at once, all or nothing",
        description="Items apply in order. An unknown task (404), another user's task (403) or a stale "
        "`version` (409 with `current`) anywhere changes nothing.",
        request=BulkUpdateSerializer,
        responses={
            200: BulkResultSerializer,
            409: TaskConflictSerializer,
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-update")
    def bulk_update(self, request: Request) -> Response:
        serializer = BulkUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tasks = services.tasks_bulk_update(
                user=caller(request), updates=serializer.validated_data["updates"]
            )
        except services.TaskVersionConflict as exc:
            raise version_conflict(exc) from None
        prefetch_related_objects(tasks, TASK_LABELS)
        return Response({"tasks": TaskSerializer(tasks, many=True).data})


@extend_schema(tags=["tasks"])
class ProjectTasksViewSet(GenericViewSet):
    """``/projects/{project_id}/tasks``: a project's board. Another user's project is 403."""

    permission_classes = [IsAuthenticated, IsOwner]
    serializer_class = TaskSerializer
    queryset = Task.objects.none()

    def get_project(self) -> Project:
        project = Project.objects.filter(pk=self.kwargs["project_id"]).first()
        if project is None:
            raise NotFound("No project with this id.")
        self.check_object_permissions(self.request, project)
        return project

    @extend_schema(
        summary="The tasks of a project",
        parameters=TASK_LIST_PARAMETERS,
        responses={200: TaskSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request, project_id: str) -> Response:
        project = self.get_project()
        return paginated(self, task_list(user=caller(request), params=request.query_params, project=project))

    @extend_schema(
        summary="Create a task in a project",
        description="The task goes to the end of its status column unless `position` is given.",
        request=TaskCreateSerializer,
        examples=CREATE_EXAMPLES,
        responses={201: TaskSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request, project_id: str) -> Response:
        project = self.get_project()
        serializer = TaskCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.task_create(project=project, **serializer.validated_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Quick add: a task from one line of text",
        description=QUICK_ADD_DESCRIPTION,
        request=QuickAddSerializer,
        examples=QUICK_ADD_EXAMPLES,
        responses={201: QuickAddedSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=False, methods=["post"], url_path="quick")
    def quick(self, request: Request, project_id: str) -> Response:
        project = self.get_project()
        serializer = QuickAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task, parsed = quick.task_quick_add(project=project, text=serializer.validated_data["text"])
        body = {**TaskSerializer(task).data, "parsed": quick.parsed_json(parsed)}
        return Response(body, status=status.HTTP_201_CREATED)
