"""SQLAlchemy 2 models for every record kind a station keeps.

Synced records share :class:`Synced`: a time-ordered UUID text key, the owning
station code, created/updated times (UTC ISO text), the hybrid logical clock
of their last change, who changed them, and a tombstone (``deleted_at``).
Nothing synced is hard-deleted by the program: deletion sets the tombstone
and the row appears in the recycle bin until restored.

The ``hlc`` column and the change log are maintained by SQLite triggers
(see :mod:`station_desktop.store.capture`), so no write path can skip them.
Money is integer fen. Dates are ISO ``date``; timestamps are UTC text.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid6 import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A time-ordered (RFC 9562 version 7) UUID as text."""
    return str(uuid7())


def utc_now() -> str:
    """Current UTC time as ISO text with milliseconds, e.g. 2026-11-23T05:09:00.123Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Synced:
    """Columns every synced row carries."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[str] = mapped_column(String(24), default=utc_now)
    updated_at: Mapped[str] = mapped_column(String(24), default=utc_now, onupdate=utc_now)
    # Hybrid logical clock of the last change: (unix ms << 16) | counter.
    # Set by the capture triggers; 0 only between the INSERT and its trigger.
    hlc: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    updated_by: Mapped[str | None] = mapped_column(String(36))
    deleted_at: Mapped[str | None] = mapped_column(String(24))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# --- station -----------------------------------------------------------------


class Station(Synced, Base):
    """A service station: this installation's own, and (at a county) every enrolled one."""

    __tablename__ = "station"
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))  # domain.enums.Role
    parent_code: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    head_name: Mapped[str | None] = mapped_column(String(50))
    star_level: Mapped[int | None] = mapped_column(Integer)


class StationAssessment(Synced, Base):
    """A year's 五有 / star-rating self-assessment and the county's review of it."""

    __tablename__ = "station_assessment"
    year: Mapped[int] = mapped_column(Integer)
    sheet: Mapped[str] = mapped_column(String(40))  # catalogue kind, e.g. "wuyou"
    items: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item code -> score/checked
    self_score: Mapped[int | None] = mapped_column(Integer)
    county_score: Mapped[int | None] = mapped_column(Integer)
    star_level: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="draft")  # draft/submitted/reviewed
    reviewer: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)


class Operator(Synced, Base):
    """A person who works the program at this station (signs in, is named in the audit log)."""

    __tablename__ = "operator"
    name: Mapped[str] = mapped_column(String(50))
    post: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CatalogueItem(Synced, Base):
    """One entry of a county-owned catalogue (categories, visit kinds, rules ...)."""

    __tablename__ = "catalogue_item"
    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_catalogue_item_kind_code", "kind", "code", unique=True),)


# --- persons -----------------------------------------------------------------


class Person(Synced, Base):
    """A registered veteran or entitled person (建档立卡), with every section of the file."""

    __tablename__ = "person"
    # 基本信息
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(10))
    political_status: Mapped[str | None] = mapped_column(String(2))
    marital_status: Mapped[str | None] = mapped_column(String(12))
    health: Mapped[str | None] = mapped_column(String(200))
    education: Mapped[str | None] = mapped_column(String(40))
    hukou_type: Mapped[str | None] = mapped_column(String(20))  # 农业/非农业/居民
    hukou_place: Mapped[str | None] = mapped_column(String(200))
    residence: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    phone2: Mapped[str | None] = mapped_column(String(30))
    categories: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    key_focus: Mapped[bool] = mapped_column(Boolean, default=False)
    key_focus_reason: Mapped[str | None] = mapped_column(String(200))
    social_insurance: Mapped[str | None] = mapped_column(String(200))
    housing: Mapped[str | None] = mapped_column(String(200))
    registered_on: Mapped[date] = mapped_column(Date)
    # 服役信息
    enlist_date: Mapped[date | None] = mapped_column(Date)
    enlist_place: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(100))  # 部队代号/番号
    service_branch: Mapped[str | None] = mapped_column(String(20))
    rank: Mapped[str | None] = mapped_column(String(40))
    post: Mapped[str | None] = mapped_column(String(100))
    awards: Mapped[str | None] = mapped_column(Text)
    punishments: Mapped[str | None] = mapped_column(Text)
    special_service: Mapped[str | None] = mapped_column(String(200))
    re_enlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    # 退役安置
    discharge_date: Mapped[date | None] = mapped_column(Date)
    service_years: Mapped[int | None] = mapped_column(Integer)
    discharge_cert_type: Mapped[str | None] = mapped_column(String(40))
    discharge_cert_no: Mapped[str | None] = mapped_column(String(60))
    discharge_mode: Mapped[str | None] = mapped_column(String(20))
    resettlement_mode: Mapped[str | None] = mapped_column(String(20))
    resettlement_unit: Mapped[str | None] = mapped_column(String(200))
    # 就业创业 / 教育培训
    employment_status: Mapped[str | None] = mapped_column(String(20))
    employer: Mapped[str | None] = mapped_column(String(200))
    income_band: Mapped[str | None] = mapped_column(String(40))
    zero_employment_family: Mapped[bool] = mapped_column(Boolean, default=False)
    business: Mapped[str | None] = mapped_column(Text)
    training: Mapped[str | None] = mapped_column(Text)
    # 抚恤优待
    benefit_kinds: Mapped[list[str]] = mapped_column(default=list)
    support_mode: Mapped[str | None] = mapped_column(String(20))
    lone_elder_or_orphan: Mapped[bool] = mapped_column(Boolean, default=False)
    disability_nature: Mapped[str | None] = mapped_column(String(10))
    disability_grade: Mapped[int | None] = mapped_column(Integer)  # 1..10
    disability_cert_no: Mapped[str | None] = mapped_column(String(60))
    disability_assessed_on: Mapped[date | None] = mapped_column(Date)
    martyr_cert_no: Mapped[str | None] = mapped_column(String(60))
    martyr_sacrifice_date: Mapped[date | None] = mapped_column(Date)
    martyr_burial_place: Mapped[str | None] = mapped_column(String(200))
    annual_confirmed_year: Mapped[int | None] = mapped_column(Integer)
    # 党员 / 兵支书 / 两委
    party_joined_on: Mapped[date | None] = mapped_column(Date)
    party_branch: Mapped[str | None] = mapped_column(String(100))
    village_role: Mapped[str | None] = mapped_column(String(20))
    role_post: Mapped[str | None] = mapped_column(String(100))
    role_appointed_on: Mapped[date | None] = mapped_column(Date)
    role_term: Mapped[str | None] = mapped_column(String(40))
    role_rating: Mapped[str | None] = mapped_column(String(10))
    # 技能, 意愿, 困难
    skills: Mapped[str | None] = mapped_column(Text)
    wishes: Mapped[str | None] = mapped_column(Text)
    hardship: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Denormalised for the due list: the last contact of any kind, kept by the service.
    last_contact_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        # One live file per ID number; a tombstoned duplicate may coexist.
        Index(
            "uq_person_live_id_number",
            "id_number",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_person_name", "name"),
    )


class FamilyMember(Synced, Base):
    __tablename__ = "family_member"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    id_number: Mapped[str | None] = mapped_column(String(18))
    employment: Mapped[str | None] = mapped_column(String(40))
    employer: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


# --- contacts and visits -----------------------------------------------------


class Campaign(Synced, Base):
    """A holiday visiting campaign (春节, 八一 ...) over a chosen group."""

    __tablename__ = "campaign"
    holiday: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    planned: Mapped[int] = mapped_column(Integer, default=0)


class LifeEvent(Synced, Base):
    """A major life event that requires a visit (六必访) by a deadline."""

    __tablename__ = "life_event"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    event_date: Mapped[date] = mapped_column(Date)
    visit_due_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    closed_by_visit_id: Mapped[str | None] = mapped_column(String(36))
    closed_on: Mapped[date | None] = mapped_column(Date)


class Visit(Synced, Base):
    """A contact or home visit (走访慰问, 常态化联系)."""

    __tablename__ = "visit"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(20))
    visit_date: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(100))
    operator_id: Mapped[str | None] = mapped_column(String(36))
    content: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    gifts: Mapped[str | None] = mapped_column(String(200))
    money_fen: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction: Mapped[str | None] = mapped_column(String(1))
    life_event_id: Mapped[str | None] = mapped_column(String(36))
    campaign_id: Mapped[str | None] = mapped_column(String(36), index=True)

    __table_args__ = (
        Index("ix_visit_person_date", "person_id", "visit_date"),
        Index("ix_visit_date", "visit_date"),
    )


# --- hardship aid ------------------------------------------------------------


class AidApplication(Synced, Base):
    """A hardship-aid case in the ledger (帮扶台账), reviewed 村 → 镇 → 县."""

    __tablename__ = "aid_application"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    aid_type: Mapped[str] = mapped_column(String(40))
    fund: Mapped[str | None] = mapped_column(String(40))
    hardship_kind: Mapped[str | None] = mapped_column(String(40))
    hardship_state: Mapped[str] = mapped_column(String(20), default="suspected")
    cause: Mapped[str] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    helper: Mapped[str | None] = mapped_column(String(100))
    applied_on: Mapped[date] = mapped_column(Date)
    requested_fen: Mapped[int] = mapped_column(Integer, default=0)
    approved_fen: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="applied")


class AidReview(Synced, Base):
    __tablename__ = "aid_review"
    application_id: Mapped[str] = mapped_column(ForeignKey("aid_application.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(10))
    reviewer: Mapped[str] = mapped_column(String(50))
    reviewed_on: Mapped[date] = mapped_column(Date)
    opinion: Mapped[str | None] = mapped_column(Text)
    amount_fen: Mapped[int | None] = mapped_column(Integer)


class AidPayment(Synced, Base):
    __tablename__ = "aid_payment"
    application_id: Mapped[str] = mapped_column(ForeignKey("aid_application.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)
    in_kind_fen: Mapped[int] = mapped_column(Integer, default=0)
    in_kind: Mapped[str | None] = mapped_column(String(200))
    fund: Mapped[str | None] = mapped_column(String(40))
    payer: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


# --- disputes and petitions --------------------------------------------------


class Case(Synced, Base):
    """A dispute or petition (矛盾纠纷, 涉军信访) with its escalation level."""

    __tablename__ = "dispute_case"
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    parties: Mapped[str] = mapped_column(String(200))
    registrar: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(40))
    case_type: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    registered_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    repeat_petition: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[str] = mapped_column(String(10), default="village")
    state: Mapped[str] = mapped_column(String(20), default="registered")
    outcome: Mapped[str | None] = mapped_column(Text)
    resolved_level: Mapped[str | None] = mapped_column(String(10))
    closed_on: Mapped[date | None] = mapped_column(Date)
    satisfaction: Mapped[str | None] = mapped_column(String(1))


class CaseStep(Synced, Base):
    __tablename__ = "case_step"
    case_id: Mapped[str] = mapped_column(ForeignKey("dispute_case.id"), index=True)
    step_on: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(20))
    from_level: Mapped[str | None] = mapped_column(String(10))
    to_level: Mapped[str | None] = mapped_column(String(10))
    handler: Mapped[str] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)


# --- honours -----------------------------------------------------------------


class Honour(Synced, Base):
    """光荣牌, 喜报 or 立功受奖 with its status flow."""

    __tablename__ = "honour"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    award_unit: Mapped[str | None] = mapped_column(String(200))
    award_type: Mapped[str | None] = mapped_column(String(100))
    awarded_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    applied_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)  # hung / delivered
    deadline: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(200))
    recipient: Mapped[str | None] = mapped_column(String(100))
    deliverer: Mapped[str | None] = mapped_column(String(100))
    feedback: Mapped[str | None] = mapped_column(Text)


# --- volunteers --------------------------------------------------------------


class VolunteerTeam(Synced, Base):
    __tablename__ = "volunteer_team"
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(200))
    leader: Mapped[str | None] = mapped_column(String(50))
    founded_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class VolunteerMember(Synced, Base):
    __tablename__ = "volunteer_member"
    team_id: Mapped[str] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


class VolunteerActivity(Synced, Base):
    __tablename__ = "volunteer_activity"
    team_id: Mapped[str] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class VolunteerHours(Synced, Base):
    """Hours one member served at one activity, in minutes (no floats)."""

    __tablename__ = "volunteer_hours"
    activity_id: Mapped[str] = mapped_column(ForeignKey("volunteer_activity.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("volunteer_member.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)


#: Every synced model, parents before children (the order bulk work and sync use).
SYNCED_MODELS: tuple[type[Synced], ...] = (
    Station,
    StationAssessment,
    Operator,
    CatalogueItem,
    Person,
    FamilyMember,
    Campaign,
    LifeEvent,
    Visit,
    AidApplication,
    AidReview,
    AidPayment,
    Case,
    CaseStep,
    Honour,
    VolunteerTeam,
    VolunteerMember,
    VolunteerActivity,
    VolunteerHours,
)

SYNCED_TABLES: tuple[str, ...] = tuple(m.__tablename__ for m in SYNCED_MODELS)  # type: ignore[attr-defined]

MODEL_BY_TABLE: dict[str, type[Synced]] = {
    m.__tablename__: m for m in SYNCED_MODELS  # type: ignore[attr-defined]
}


# --- local bookkeeping (not synced) ------------------------------------------


class Meta(Base):
    """Installation facts: own station code, role, data format."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChangeLog(Base):
    """The outbox and the audit trail in one append-only table.

    Filled only by triggers. ``seq`` is the local, strictly increasing change
    sequence a bundle's range refers to; ``changes`` is NULL for an insert (the
    row holds the values), ``[old, new]`` pairs of the changed columns for an
    update, and the old values for a delete.
    """

    __tablename__ = "change_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(24))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(1))  # I, U, D
    hlc: Mapped[int] = mapped_column(Integer)
    station_code: Mapped[str | None] = mapped_column(String(12))
    operator_id: Mapped[str | None] = mapped_column(String(36))
    origin: Mapped[str | None] = mapped_column(String(12))  # set when applying a bundle
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_change_log_row", "table_name", "row_id"),
        {"sqlite_autoincrement": True},
    )


class AuditEvent(Base):
    """Append-only log of actions that are not row changes (import, backup, restore ...)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(24), default=utc_now)
    operator_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WriteContext(Base):
    """Single row the capture triggers read: who is writing, and whether a bundle is applied."""

    __tablename__ = "write_context"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[str | None] = mapped_column(String(36))
    origin: Mapped[str | None] = mapped_column(String(12))
    applying: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Clock of the fields a bundle merge is writing; logged instead of the row's.
    apply_hlc: Mapped[int | None] = mapped_column(Integer)


class HlcClock(Base):
    """Single row holding the last hybrid logical clock value issued here."""

    __tablename__ = "hlc_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


# --- search index (derived from person rows, rebuilt at will) -----------------


class SearchKey(Base):
    """One searchable key of a person: name n-grams, pinyin, ID and phone parts.

    Lookups are prefix ranges on ``key`` (an index seek), never LIKE '%x%'
    scans and never FTS trigram, which misses two-character Chinese names.
    """

    __tablename__ = "search_key"
    __table_args__ = {"sqlite_with_rowid": False}
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[int] = mapped_column(Integer, primary_key=True)


class SearchPending(Base):
    """Persons whose search keys must be recomputed; filled by a trigger on person."""

    __tablename__ = "search_pending"
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)


# --- sync state (local to this installation, never sent in a bundle) ---------


class SyncPeer(Base):
    """An installation we exchange bundles with: our county, or a station enrolled with us.

    ``acked_seq`` is how far the peer has acknowledged *our* change log;
    ``received_seq`` how far we hold *theirs* without a gap (what we
    acknowledge back); ``gaps`` lists ``[from, to]`` ranges of theirs we have
    not received although later changes arrived.
    """

    __tablename__ = "sync_peer"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    relation: Mapped[str] = mapped_column(String(10))  # county (our upstream) / station
    parent_code: Mapped[str | None] = mapped_column(String(12))
    signing_public: Mapped[str] = mapped_column(String(64))  # base64 of the raw key
    encryption_public: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(10), default="active")  # active / revoked
    key_epoch: Mapped[int] = mapped_column(Integer, default=1)
    enrolled_at: Mapped[str] = mapped_column(String(24), default=utc_now)
    revoked_at: Mapped[str | None] = mapped_column(String(24))
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)
    received_seq: Mapped[int] = mapped_column(Integer, default=0)
    received_max: Mapped[int] = mapped_column(Integer, default=0)
    gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    last_bundle_at: Mapped[str | None] = mapped_column(String(24))
    last_bundle_created: Mapped[str | None] = mapped_column(String(24))
    last_export_at: Mapped[str | None] = mapped_column(String(24))


class SyncBundle(Base):
    """Every bundle written, imported, refused or relayed here, with its report."""

    __tablename__ = "sync_bundle"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(24), default=utc_now)
    direction: Mapped[str] = mapped_column(String(10))  # out / in / refused / relayed
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    sender: Mapped[str | None] = mapped_column(String(12))
    recipient: Mapped[str | None] = mapped_column(String(12))
    kind: Mapped[str | None] = mapped_column(String(10))  # changes / restore
    from_seq: Mapped[int | None] = mapped_column(Integer)
    to_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str | None] = mapped_column(String(24))
    file_name: Mapped[str | None] = mapped_column(String(260))
    operator_id: Mapped[str | None] = mapped_column(String(36))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SyncConflict(Base):
    """A field both sides changed since they last agreed: the losing value, kept for review."""

    __tablename__ = "sync_conflict"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(24), default=utc_now)
    peer_code: Mapped[str] = mapped_column(String(12))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    kept_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    lost_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    kept_hlc: Mapped[int] = mapped_column(Integer)
    lost_hlc: Mapped[int] = mapped_column(Integer)
    kept_from: Mapped[str] = mapped_column(String(12))
    lost_from: Mapped[str] = mapped_column(String(12))
    resolved_at: Mapped[str | None] = mapped_column(String(24))
    resolution: Mapped[str | None] = mapped_column(String(10))  # keep / take / edit
    resolved_by: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (Index("ix_sync_conflict_open", "resolved_at", "table_name", "row_id"),)


def json_list(value: str | list[str] | None) -> list[str]:
    """A JSON array column read through raw SQL."""
    if value is None:
        return []
    return value if isinstance(value, list) else list(json.loads(value))
