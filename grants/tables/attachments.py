from piccolo.columns import Bytea, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.tables.accounts import User
from grants.tables.projects import Project


class Attachment(Table):
    """An evidence file, kept in the database so backups and every worker have it."""

    project = ForeignKey(references=Project, null=True)  # whose members may download it
    name = Varchar(length=255)
    content_type = Varchar(length=100, default="application/octet-stream")
    size = Integer()
    sha256 = Varchar(length=64)
    data = Bytea()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
