"""Who may do what: roles × actions, and project membership, decided in one place."""

from dataclasses import dataclass
from enum import StrEnum

from grants.core.vocabulary import ROLES_SEEING_ALL_PROJECTS, Role


class AccessDenied(Exception):
    """The principal's role or project membership does not allow this."""


class Action(StrEnum):
    READ = "read"
    CREATE_PROJECT = "create_project"
    EDIT_PROJECT = "edit_project"  # project data and funding plan
    RECORD_EXPENDITURE = "record_expenditure"
    EDIT_INDICATORS = "edit_indicators"  # define indicators, log values, narrative
    SUBMIT_PERIOD = "submit_period"
    APPROVE_PERIOD = "approve_period"  # approve and return
    REOPEN_PERIOD = "reopen_period"
    READ_AUDIT = "read_audit"
    READ_REGISTER = "read_register"  # the participant register: the most sensitive data
    EDIT_REGISTER = "edit_register"
    READ_SPECIAL_CATEGORY = "read_special_category"  # e.g. disability flags (GDPR Art. 9)
    MANAGE_USERS = "manage_users"
    PREPARE_CLAIM = "prepare_claim"  # create, change and submit payment claims
    DECIDE_CLAIM = "decide_claim"  # record the funder's answer: approve, return, reject, pay
    PROPOSE_MODIFICATION = "propose_modification"  # draft, change, submit, withdraw
    DECIDE_MODIFICATION = "decide_modification"  # record the funder's approval or rejection
    CORRECT_CONTRACT = "correct_contract"  # fix an obvious typo in a contract field, with a reason


_ALL = frozenset(Role)
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.READ: _ALL,
    Action.CREATE_PROJECT: frozenset({Role.ADMIN}),
    Action.EDIT_PROJECT: frozenset({Role.ADMIN, Role.FINANCE}),
    Action.RECORD_EXPENDITURE: frozenset({Role.ADMIN, Role.FINANCE}),
    Action.EDIT_INDICATORS: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Action.SUBMIT_PERIOD: frozenset({Role.ADMIN, Role.FINANCE, Role.COORDINATOR}),
    Action.APPROVE_PERIOD: frozenset({Role.ADMIN}),
    Action.REOPEN_PERIOD: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.ADMIN, Role.AUDITOR, Role.FINANCE, Role.COORDINATOR}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.READ_REGISTER: frozenset({Role.ADMIN, Role.COORDINATOR, Role.AUDITOR}),
    Action.EDIT_REGISTER: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Action.READ_SPECIAL_CATEGORY: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Action.PREPARE_CLAIM: frozenset({Role.ADMIN, Role.FINANCE}),
    Action.DECIDE_CLAIM: frozenset({Role.ADMIN, Role.FINANCE}),
    Action.PROPOSE_MODIFICATION: frozenset({Role.ADMIN, Role.FINANCE, Role.COORDINATOR}),
    Action.DECIDE_MODIFICATION: frozenset({Role.ADMIN, Role.FINANCE}),
    Action.CORRECT_CONTRACT: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Principal:
    """The signed-in user (or API token owner) as the domain sees it."""

    user_id: int | None  # None: the command line, acting for no user
    email: str
    role: Role
    project_ids: frozenset[int]
    locale: str = "lv"

    @property
    def sees_all_projects(self) -> bool:
        return self.role in ROLES_SEEING_ALL_PROJECTS

    def can_read_project(self, project_id: int) -> bool:
        return self.sees_all_projects or project_id in self.project_ids

    def can(self, action: Action, project_id: int | None = None) -> bool:
        """Role allows the action, and for project work the project is one of the user's."""
        if self.role not in PERMISSIONS[action]:
            return False
        return project_id is None or self.can_read_project(project_id)

    def require(self, action: Action, project_id: int | None = None) -> None:
        if not self.can(action, project_id):
            raise AccessDenied()
