"""The mapping remembers an all-day task's day (``due_on``) beside a timed task's moment, and the
zone a timed event's times were written in (``time_zone``), so that a change of the owner's
zone rewrites the events at the next sync (docs/GOOGLE_CALENDAR.md, "Times").

Every existing mapping belongs to a timed event written before this change, in UTC: its rows
get ``UTC``, which makes the events of owners in another zone rewritten at the next sync; new
rows are always written with their zone, hence the empty default after that."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_webhook_replay_and_coalescing"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventmapping",
            name="due_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="eventmapping",
            name="time_zone",
            field=models.CharField(blank=True, default="UTC", max_length=64),
        ),
        migrations.AlterField(
            model_name="eventmapping",
            name="time_zone",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
