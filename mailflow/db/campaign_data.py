"""``Campaign.data`` read and written through named, typed fields (the JSON stays as it is).

The column is a JSON object whose keys older rows already hold, so there is no migration: a
read takes the keys it knows, a write merges only the fields it names into the object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mailflow.db import models


@dataclass(frozen=True)
class CampaignData:
    offers_deadline: str | None = None  # ISO moment, UTC
    comparison_sent: str | None = None  # ISO moment the comparison went to the OS manager
    estimated_value_net: str | None = None  # Decimal as text
    procurement_started: str | None = None  # ISO date
    term_justification: str | None = None
    questionnaire_rounds: int = 0
    questionnaire_message: int | None = None  # Message.id of the newest draft
    audit_by: str | None = None  # ISO date
    report_by: str | None = None  # ISO date
    publication_asked: str | None = None  # ISO moment
    published: dict[str, str] | None = None  # {"place": ..., "date": ...}

    @classmethod
    def load(cls, campaign: models.Campaign) -> CampaignData:
        stored = campaign.data or {}
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in stored.items() if key in known})

    @staticmethod
    def save(campaign: models.Campaign, **changes: Any) -> None:
        """Merge ``changes`` into the stored object (a new dict, so SQLAlchemy sees it)."""
        known = {f.name for f in dataclasses.fields(CampaignData)}
        unknown = set(changes) - known
        if unknown:
            raise KeyError(f"not a campaign data field: {', '.join(sorted(unknown))}")
        campaign.data = {**(campaign.data or {}), **changes}
