"""Existing addresses in their canonical form (accounts/addresses.py): the domain as IDNA
A-labels. An address that cannot be converted, or whose canonical form another account
already holds, is left as it is and named in the output for staff to resolve."""

from django.db import migrations
from django.db.models.functions import Lower

from accounts.addresses import InvalidEmailAddress, email_normalize


def canonicalise(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("id", "email").iterator():
        try:
            canonical = email_normalize(user.email)
        except InvalidEmailAddress:
            print(f"\n  accounts: user {user.pk} keeps a non-canonical e-mail address")
            continue
        if canonical == user.email:
            continue
        taken = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=canonical.lower())
            .exclude(pk=user.pk)
            .exists()
        )
        if taken:
            print(f"\n  accounts: user {user.pk} keeps its e-mail: its canonical form is taken")
            continue
        User.objects.filter(pk=user.pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_token_families")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
