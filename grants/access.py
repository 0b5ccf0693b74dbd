"""Who may see what: roles and project membership, decided in one place."""

from dataclasses import dataclass

from grants.tables.accounts import Membership
from grants.vocabulary import ROLES_SEEING_ALL_PROJECTS, Role


class AccessDenied(Exception):
    """The principal's role or project membership does not allow this."""


@dataclass(frozen=True)
class Principal:
    """The signed-in user (or API token owner) as the domain sees it."""

    user_id: int
    email: str
    role: Role
    project_ids: frozenset[int]
    locale: str = "lv"

    @property
    def sees_all_projects(self) -> bool:
        return self.role in ROLES_SEEING_ALL_PROJECTS

    def can_read_project(self, project_id: int) -> bool:
        return self.sees_all_projects or project_id in self.project_ids


async def member_project_ids(user_id: int) -> frozenset[int]:
    rows = await Membership.select(Membership.project).where(Membership.user == user_id)
    return frozenset(row["project"] for row in rows)
