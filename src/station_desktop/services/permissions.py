"""Who may do what: the checks a unit of work makes inside its own transaction.

Each check reads inside the caller's write transaction, so what it saw
cannot change before the write commits (an operator deactivated a moment
ago, a role switched by a restore).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from station_desktop.domain.errors import ConflictError
from station_desktop.store import models as m


class PermissionRefused(ConflictError):
    """The acting operator, or this installation, may not do this (a conflict with who
    and where we are, so callers that caught ConflictError still do)."""

    code = "not_allowed"


def acting_operator(s: Session, operator_id: str | None, *, required: bool = False,
                    admin: bool = False) -> m.Operator | None:
    """The operator a unit of work acts for: must exist and be active.

    ``required`` refuses an unattributed change (no operator at all); ``admin``
    also requires an administrator (it implies ``required``). Ordinary record
    writes without an operator stay possible for headless set-up work.
    """
    if operator_id is None:
        if required or admin:
            raise PermissionRefused("没有指明操作员，不能进行这项操作。",
                                    hint="请先选择操作员登录。", code="no_operator")
        return None
    op = s.get(m.Operator, operator_id)
    if op is None or op.deleted_at is not None:
        raise PermissionRefused("找不到当前操作员，不能进行这项操作。",
                                hint="请重新选择操作员登录。", code="no_operator")
    if not op.active:
        raise PermissionRefused(f"操作员“{op.name}”已被停用，不能进行这项操作。",
                                hint="请换其他操作员登录，或请管理员重新启用。",
                                code="operator_inactive")
    if admin and not op.is_admin:
        raise PermissionRefused(f"只有管理员能进行这项操作，“{op.name}”不是管理员。",
                                hint="请管理员登录后再操作。", code="not_admin")
    return op


def installation_role(s: Session) -> str | None:
    return s.execute(text("SELECT value FROM meta WHERE key = 'role'")).scalar()


def require_county(s: Session, message: str, *, hint: str = "") -> None:
    """Refuse a county-only action on a village or town installation."""
    if installation_role(s) != "county":
        raise PermissionRefused(message, hint=hint, code="not_county")


def require_catalogue_editor(s: Session, operator_id: str | None) -> m.Operator | None:
    """Catalogues are the county's: only its administrators edit them."""
    require_county(s, "目录由县服务中心统一维护，本站不能修改。",
                   hint="如需调整，请联系县退役军人服务中心。")
    return acting_operator(s, operator_id, admin=True)


def require_owner(s: Session, row: m.Synced) -> None:
    """A village or town changes only its own rows; the county may correct any station's.

    A row belongs to the station of what it hangs off (DESIGN.md). A station's
    file can hold rows it does not own, such as the county's catalogue
    entries; its bundle could never carry a change to them (the county refuses
    it), so the change is refused here, before it is made.
    """
    if installation_role(s) == "county":
        return
    own = s.execute(text("SELECT value FROM meta WHERE key = 'station_code'")).scalar()
    if row.station_code != own:
        raise PermissionRefused(
            f"这条记录属于服务站 {row.station_code}，本站（{own}）不能修改。",
            hint="如需更正，请联系该服务站或县退役军人服务中心。", code="not_owner")
