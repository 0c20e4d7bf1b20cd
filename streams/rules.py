"""The deployment's metric rules, built once from the settings: the case metrics and the
channel alerts judge first responses by the same standards."""

from __future__ import annotations

from streams.metrics import CaseRules
from streams.metrics.sla import standards_with
from touchstream.settings import get_settings

CASE_RULES = CaseRules(standards=standards_with(get_settings().sla_first_response_s))
