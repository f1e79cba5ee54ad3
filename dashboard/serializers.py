from rest_framework import serializers

from projects.serializers import ProjectSerializer
from tasks.serializers import TaskSerializer


class TaskCountsSerializer(serializers.Serializer):
    todo = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    task_counts = TaskCountsSerializer()
    upcoming_tasks = TaskSerializer(
        many=True, help_text="Not DONE, due from now to 7 days ahead, soonest first, ≤ 10."
    )
    overdue_count = serializers.IntegerField(help_text="Not DONE and due before now.")
    recent_projects = ProjectSerializer(
        many=True, help_text="The 5 most recently updated non-archived projects."
    )
    completion_rate = serializers.FloatField(help_text="done / all, 2 decimals; 0.0 without tasks.")
