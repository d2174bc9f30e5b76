from django.db import migrations

from creditbank.db import AppendOnly


class Migration(migrations.Migration):
    """The ledger refuses UPDATE and DELETE in the database itself (PostgreSQL and SQLite)."""

    dependencies = [("learners", "0001_initial")]

    operations = [AppendOnly("creditentry")]
