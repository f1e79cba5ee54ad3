from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.callers import caller
from config.api.objects import OwnedObjectViewSet
from config.api.permissions import IsOwner
from config.api.router import UUID_REGEX
from config.api.schema import error_responses
from labels import services
from labels.models import Label
from labels.selectors import label_list, label_with_task_count
from labels.serializers import LabelInputSerializer, LabelSerializer


@extend_schema(tags=["labels"])
@extend_schema_view(
    list=extend_schema(
        summary="The caller's labels, by name",
        description="Ordered by name, case-insensitively; paginated like every list.",
        responses={200: LabelSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    create=extend_schema(
        summary="Create a label",
        description="A name the caller already has, whatever the case, is a 409 on `name`. Labels are also "
        "created by naming them on a task.",
        request=LabelInputSerializer,
        responses={201: LabelSerializer, **error_responses(400, 401, 409)},
    ),
    retrieve=extend_schema(
        summary="A label", responses={200: LabelSerializer, **error_responses(401, 403, 404)}
    ),
    partial_update=extend_schema(
        summary="Rename or recolour a label",
        description="A rename shows on every task carrying the label; no task's `version` or `updated_at` "
        "changes. A name the caller already has for another label is a 409 on `name`.",
        request=LabelInputSerializer(partial=True),
        responses={200: LabelSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Delete a label",
        description="It is removed from every task; no task's `version` or `updated_at` changes.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class LabelViewSet(OwnedObjectViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
    serializer_class = LabelSerializer
    lookup_value_regex = UUID_REGEX
    queryset = Label.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    not_found_message = "No label with this id."

    def find_object(self, pk: str) -> Label | None:
        return label_with_task_count(label_id=pk)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(label_list(user=caller(request)))
        return self.get_paginated_response(LabelSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = LabelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        label = services.label_create(owner=caller(request), **serializer.validated_data)
        return Response(self._present(label), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(LabelSerializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        label = self.get_object()
        serializer = LabelInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        label = services.label_update(label=label, changes=serializer.validated_data)
        return Response(self._present(label))

    def destroy(self, request: Request, pk: str) -> Response:
        services.label_delete(label=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _present(self, label: Label) -> dict:
        return LabelSerializer(label_with_task_count(label_id=label.pk)).data
