"""Request examples shown in /docs: a ready organisation answering the shipped bank.

Kept as a literal (no file read at import); a test scores it through the API so it cannot go stale.
"""

from __future__ import annotations

from typing import Any

READY_ANSWERS: dict[str, Any] = {
        "why_needed": "written_agreed",
        "internal_agreement": 4,
        "strategy_fit": "part_of_strategy",
        "management_backing": True,
        "industry_ethics": "not_questionable",
        "growth_intent": "grow",
        "business_goals": [
            "retention",
            "customer_insight"
        ],
        "goals_aligned": 4,
        "main_goal": "Raise the share of returning customers from 25% to 35% within 12 months.",
        "has_pitch": True,
        "pitch_text": "We help busy families in Tampere eat well with local meal kits delivered every Friday.",
        "target_audience": "main_group",
        "audience_online": "checked",
        "industry_conversations": True,
        "channel_choice": "audience_first",
        "time_commitment": "reserved",
        "hours_per_week": 6,
        "costs_accepted": [
            "staff_time",
            "content_production",
            "training"
        ],
        "skills": 3,
        "continuity_plan": "stand_in",
        "resource_scaling": False,
        "content_strategy": "partial",
        "content_sources": [
            "own",
            "customers"
        ],
        "publishing_plan": True,
        "channel_adaptation": "adapt",
        "channel_rules": 4,
        "truthfulness": True,
        "patience": "slow_start",
        "responsible_person": "named_with_mandate",
        "strategy_owner": True,
        "activity_owners": 4,
        "team": "marketing_team",
        "staff_rules": "written_known",
        "risks_identified": "listed",
        "crisis_plan": False,
        "feedback_handling": "read_and_answered",
        "criticism": "answer_openly",
        "open_culture": 4,
        "trade_secrets": "little_to_protect",
        "segments_image": {
            "state": "not_applicable"
        },
        "listening": [
            "customers",
            "competitors"
        ],
        "measure_how": "goal_metrics",
        "review_cadence": "monthly",
        "data_use": "one"
    }

# A comparison's example: the same organisation a few months apart. The first time, goals were vague,
# time and skills short, no pitch and nothing measured; the follow-up fixed those but let risks slip.
FIRST_ANSWERS: dict[str, Any] = {
    key: value for key, value in READY_ANSWERS.items() if key != "pitch_text"
} | {
    "main_goal": "More followers.",
    "has_pitch": False,
    "time_commitment": "irregular",
    "hours_per_week": 1,
    "skills": 2,
    "continuity_plan": "not_considered",
    "listening": ["nothing_yet"],
    "measure_how": "activity_metrics",
    "review_cadence": "not_regularly",
}
FOLLOW_UP_ANSWERS: dict[str, Any] = READY_ANSWERS | {
    "risks_identified": "discussed",
    "feedback_handling": "when_time",
    "listening": ["customers"],
    "review_cadence": "yearly",
}

SCORE_EXAMPLES: dict[str, Any] = {
    "ready": {
        "summary": "A ready organisation",
        "value": {"bank": "social-media-readiness", "locale": "en", "answers": READY_ANSWERS},
    },
}
ASSESSMENT_EXAMPLES: dict[str, Any] = {
    "ready": {
        "summary": "Store an agency client's assessment",
        "value": {
            "bank": "social-media-readiness",
            "bank_version": "1.1.0",
            "respondent": {"organisation": "Kahvila Esimerkki Oy", "email": "owner@example.fi", "external_ref": "crm-4711"},
            "answers": READY_ANSWERS,
        },
    },
}

OVERLAY_EXAMPLES: dict[str, Any] = {
    "overlay": {
        "summary": "A B2B agency's bank derived from the shipped one",
        "value": {
            "slug": "b2b-readiness",
            "version": "1.0.0",
            "base": {"slug": "social-media-readiness", "version": "1.1.0"},
            "title": {"en": "B2B social media readiness", "fi": "B2B-sosiaalisen median valmius"},
            "policy": {"go_at": 75},
            "dimensions": {"measurement": {"weight": 3, "target": 70}},
            "remove_questions": ["segments_image"],
        },
    },
}
