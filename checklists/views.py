from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from checklists import services
from checklists.models import ITEMS_PER_TASK_MAX
from checklists.selectors import checklist_items, checklist_task
from checklists.serializers import ChecklistItemInputSerializer, ChecklistItemSerializer
from config.api.permissions import IsOwner
from config.api.router import UUID_REGEX
from config.api.schema import error_responses
from config.errors import NotFound
from tasks.models import Task

A_CHANGE_TO_THE_TASK = (
    "A change is a change to the task: its `version` grows by one and its `updated_at` moves, once per "
    "request however many items shift, and its `checklist_total`/`checklist_done` follow. A request that "
    "changes nothing leaves the task as it is."
)


@extend_schema(tags=["checklists"])
@extend_schema_view(
    list=extend_schema(
        summary="A task's checklist, by position",
        description="Paginated like every list. Another user's task is a 403.",
        responses={200: ChecklistItemSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    create=extend_schema(
        summary="Add an item to a task's checklist",
        description="Without `position` (or past the end) the item goes to the end; at `position` the items "
        f"from there on move down one. A task holds at most {ITEMS_PER_TASK_MAX} items: one more is a 400 "
        f"(`non_field_errors`). {A_CHANGE_TO_THE_TASK}",
        request=ChecklistItemInputSerializer,
        responses={201: ChecklistItemSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a checklist item: text, done and/or position",
        description="`done` never moves an item. A `position` past the end is the last place; the items "
        "between the old and the new place shift by one, as on the board. An item of another task is a 404. "
        f"{A_CHANGE_TO_THE_TASK}",
        request=ChecklistItemInputSerializer(partial=True),
        responses={200: ChecklistItemSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a checklist item",
        description=f"The items after it move up one. {A_CHANGE_TO_THE_TASK}",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class ChecklistViewSet(GenericViewSet):
    """``/tasks/{task_id}/checklist``: a task's items (SPEC §13). Another user's task is 403."""

    permission_classes = [IsAuthenticated, IsOwner]
    serializer_class = ChecklistItemSerializer
    lookup_value_regex = UUID_REGEX
    queryset = Task.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_task(self) -> Task:
        task = checklist_task(task_id=self.kwargs["task_id"])
        if task is None:
            raise NotFound("No task with this id.")
        self.check_object_permissions(self.request, task)
        return task

    def list(self, request: Request, task_id: str) -> Response:
        page = self.paginate_queryset(checklist_items(task=self.get_task()))
        return self.get_paginated_response(ChecklistItemSerializer(page, many=True).data)

    def create(self, request: Request, task_id: str) -> Response:
        task = self.get_task()
        serializer = ChecklistItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.item_create(task=task, **serializer.validated_data)
        return Response(ChecklistItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, task_id: str, pk: str) -> Response:
        task = self.get_task()
        serializer = ChecklistItemInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = services.item_update(task=task, item_id=pk, changes=serializer.validated_data)
        return Response(ChecklistItemSerializer(item).data)

    def destroy(self, request: Request, task_id: str, pk: str) -> Response:
        services.item_delete(task=self.get_task(), item_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
