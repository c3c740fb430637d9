"""A stored assessment: one organisation's answers to one bank version, with its result."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, JsonValue
from pydantic import Field as PydanticField
from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

from app.banks.schema import SemVer, Slug
from app.models.common import JSONType, UTCDateTime, utcnow
from app.scoring.result import Result
from app.text import ControlFreeInSchema, reject_control_characters


class Assessment(SQLModel, table=True):
    __tablename__ = "assessment"
    # the tenant's list, newest first, is the hot read path: one index serves it and its cursor
    __table_args__ = (Index("ix_assessment_tenant_created", "tenant_id", "created_at", "id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenant.id", ondelete="CASCADE")
    bank_version_id: uuid.UUID = Field(foreign_key="bank_version.id", index=True)
    bank_slug: str = Field(max_length=64)
    bank_version: str = Field(max_length=32)
    status: str = Field(max_length=16)
    # bumped by every change of a draft; the ETag that If-Match compares against
    revision: int = Field(default=1)
    organisation: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    external_ref: str | None = Field(default=None, max_length=200)
    locale: str = Field(max_length=8)
    answers: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    # a draft has no result until it is submitted
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    decision: str | None = Field(default=None, max_length=32)
    score: float | None = None
    # the few figures of the result that lists and exports show, so they never decode the whole result
    digest: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # the earlier assessment this one follows up; erasing that one leaves this one standing, following nothing
    follows_id: uuid.UUID | None = Field(default=None, foreign_key="assessment.id", ondelete="SET NULL", index=True)


# --- what clients send and receive -------------------------------------------------



class _Body(BaseModel):
    # unknown fields are an error, never silently dropped
    model_config = ConfigDict(extra="forbid")


PlainText = Annotated[str, AfterValidator(reject_control_characters), ControlFreeInSchema()]


class Respondent(_Body):
    organisation: PlainText = PydanticField(min_length=1, max_length=200, examples=["Kahvila Esimerkki Oy"])
    email: EmailStr | None = PydanticField(default=None, max_length=320, examples=["owner@example.fi"])
    external_ref: PlainText | None = PydanticField(default=None, min_length=1, max_length=200, examples=["crm-4711"])


class ScoreRequest(_Body):
    bank: Slug = PydanticField(max_length=64, examples=["social-media-readiness"])
    bank_version: SemVer | None = PydanticField(default=None, max_length=32, examples=["1.1.0"])
    locale: Literal["en", "fi"] | None = PydanticField(default=None, description="language of the result's texts")
    respondent: Respondent | None = None
    answers: dict[str, JsonValue] = PydanticField(description="question key -> answer value or {\"state\": ...}")


FOLLOWS_DESCRIPTION = (
    "the id of an earlier submitted assessment of the same bank (any version) that this one follows up; "
    "`GET /v1/assessments/{id}/compare/{follows}` then shows the change"
)


class AssessmentCreate(ScoreRequest):
    respondent: Respondent  # required when the assessment is stored
    follows: uuid.UUID | None = PydanticField(default=None, description=FOLLOWS_DESCRIPTION)
    submit: bool = PydanticField(
        default=True,
        description="false stores a draft: answers are checked one by one, nothing is scored until "
        "`POST /v1/assessments/{id}/submit`",
    )


class AssessmentPatch(_Body):
    """A change to a draft: answers merge into the stored ones; `null` removes an answer."""

    answers: dict[str, JsonValue | None] = PydanticField(
        default_factory=dict, description="question key -> new answer, or null to remove it"
    )
    respondent: Respondent | None = PydanticField(default=None, description="replaces the respondent when given")
    locale: Literal["en", "fi"] | None = PydanticField(default=None, description="language of the result's texts")
    follows: uuid.UUID | None = PydanticField(
        default=None, description="replaces the assessment this draft follows up when given; `null` clears it"
    )


class Progress(_Body):
    """How far a draft is."""

    missing_required: list[str] = PydanticField(description="required questions, shown by the answers so far, still unanswered")
    answered: int
    coverage: float = PydanticField(description="share of the applicable weight answered so far, 0..1")
    ready_to_submit: bool


class AssessmentSummary(_Body):
    """An assessment as listed: enough to filter and sort on; the full result is one GET away."""

    id: uuid.UUID
    bank: str
    bank_version: str
    status: Literal["draft", "submitted"]
    revision: int = PydanticField(description="bumped by every change of a draft; the ETag is this number quoted")
    respondent: Respondent
    decision: str | None = PydanticField(description="null while a draft")
    score: float | None = PydanticField(description="null while a draft")
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    follows: uuid.UUID | None = PydanticField(
        description="the earlier assessment this one follows up; null when none, or once that one is erased"
    )


class AssessmentPublic(AssessmentSummary):
    answers: dict[str, JsonValue]
    result: Result | None = PydanticField(description="null while a draft")
    progress: Progress | None = PydanticField(description="a draft's progress; null once submitted")


class AssessmentPage(_Body):
    items: list[AssessmentSummary]
    next_cursor: str | None = PydanticField(description="pass as ?cursor= for the next page; null on the last")
