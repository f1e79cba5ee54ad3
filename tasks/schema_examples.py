"""OpenAPI examples of the task operations (drf-spectacular), kept apart from the views."""

from drf_spectacular.utils import OpenApiExample

_RECURRING_TASK = {
    "id": "0b0f6a4e-2f57-4a8e-9d1c-3c7a1f6e5d21",
    "project_id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
    "title": "Team stand-up notes",
    "description": "",
    "status": "TODO",
    "priority": "MEDIUM",
    "due_date": "2026-12-07T08:30:00Z",
    "due_on": None,
    "recurrence": {
        "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
        "from": "due",
        "start": "2026-12-07T08:30:00Z",
        "next": ["2026-12-10T08:30:00Z", "2026-12-14T08:30:00Z", "2026-12-17T08:30:00Z"],
    },
    "labels": ["Work"],
    "checklist_total": 0,
    "checklist_done": 0,
    "remind_at": None,
    "reminder_offsets": [15, 60],
    "position": 4,
    "version": 1,
    "completed_at": None,
    "created_at": "2026-12-02T09:00:00Z",
    "updated_at": "2026-12-02T09:00:00Z",
}

CREATE_EXAMPLES = [
    OpenApiExample(
        "A recurring task with reminders",
        description="Every Monday and Thursday at 09:30 in Berlin (08:30 UTC in winter), reminded 60 and "
        "15 minutes before each due, labelled Work (the label is created if the caller has none of that "
        "name).",
        value={
            "title": "Team stand-up notes",
            "due_date": "2026-12-07T08:30:00Z",
            "recurrence": {"rrule": "rrule:freq=weekly;byday=MO,TH;interval=1"},
            "labels": ["Work"],
            "reminder_offsets": [60, 15],
        },
        request_only=True,
    ),
    OpenApiExample(
        "An all-day task",
        value={"title": "Renew passport", "due_on": "2027-01-15"},
        request_only=True,
    ),
    OpenApiExample(
        "The recurring task created",
        description="The rule echoed normalised (upper case, `RRULE:` and `INTERVAL=1` dropped), its start "
        "and the next three dues; the offsets sorted.",
        value=_RECURRING_TASK,
        response_only=True,
        status_codes=["201"],
    ),
]

UPDATE_EXAMPLES = [
    OpenApiExample(
        "Complete a recurring task",
        description="It is not left DONE: the due moves to the next occurrence and the task goes to the end "
        "of TODO, one version on.",
        value={"status": "DONE", "version": 1},
        request_only=True,
    ),
    OpenApiExample(
        "The recurring task advanced",
        value={
            **_RECURRING_TASK,
            "due_date": "2026-12-10T08:30:00Z",
            "recurrence": {
                **_RECURRING_TASK["recurrence"],  # type: ignore[dict-item]
                "next": ["2026-12-14T08:30:00Z", "2026-12-17T08:30:00Z", "2026-12-21T08:30:00Z"],
            },
            "version": 2,
            "updated_at": "2026-12-07T09:10:00Z",
        },
        response_only=True,
        status_codes=["200"],
    ),
]

QUICK_ADD_DESCRIPTION = """Reads one line (SPEC §13) in the project owner's time zone and creates
the task at the end of TODO. The answer is the task plus `parsed`: `title`, `due_date` or
`due_on`, `recurrence` (`{rrule, from}`), `labels`, `priority` (null when the text names none:
the task gets MEDIUM).
Words are read case-insensitively, anywhere in the text; what it cannot read stays in the title.

- `#label` (to the next space, `,` or `#`; new names create labels); `!low` … `!urgent`, `p1`
  (urgent) … `p4` (low).
- `today`, `tonight` (20:00), `tomorrow`, `monday` or `next mon` (the first such day after
  today), `in 3 days|weeks|months` (all-day), `dec 24`, `24 dec`, `2026-12-24`, `12/24` (the
  next one on or after today); `at 5pm`, `at 17:00`, `9am` (a time without a date is today, or
  tomorrow once past; a date without a time is all-day).
- `every day`, `every weekday`, `every week`, `every monday`, `every mon, wed`, `every 2 weeks`,
  `every month on the 1st`, `every last day`; `every!` repeats from the completion. A rule
  without a date starts on its first occurrence not before now.

Examples (now Wed 2 Dec 2026 10:00 in Europe/Berlin):

- `Pay rent every month on the 1st #home !high` → title "Pay rent", `due_on` 2027-01-01,
  `FREQ=MONTHLY;BYMONTHDAY=1`, labels ["home"], HIGH.
- `Call mom tomorrow at 6pm p2` → "Call mom", `due_date` 2026-12-03T17:00:00Z, HIGH.
- `Water plants every! 3 days` → "Water plants", `due_on` 2026-12-02, `FREQ=DAILY;INTERVAL=3`
  from the completion.
- `Book may trip` → "Book may trip", nothing else ("may" is not a date).

A title left empty or over 200 characters, a label over 50 characters or more than 20 labels
is a 400 on `text`."""

QUICK_ADD_EXAMPLES = [
    OpenApiExample(
        "A monthly bill",
        value={"text": "Pay rent every month on the 1st #home !high"},
        request_only=True,
    ),
    OpenApiExample("A call tomorrow", value={"text": "Call mom tomorrow at 6pm p2"}, request_only=True),
]
