"""The metric math of the streaming core, free of Faust: case state, feedback bands, quantile
sketches and event-time windows. Every state class has ``to_dict``/``from_dict`` (plain JSON), so
Faust tables can hold it; the agents stay thin and call these."""

from streams.metrics.case_state import (
    CaseEvent,
    CaseRules,
    CaseState,
    CaseSummary,
    apply,
    keeps_answer,
    sla_check,
    summarize,
)
from streams.metrics.contribution import Contribution, Kind, touchpoint_seen
from streams.metrics.feedback import (
    EnrichedFeedback,
    NpsCategory,
    ces_easy,
    check_score,
    csat_satisfied,
    enrich,
    is_detractor_alert,
    nps_category,
)
from streams.metrics.sketch import QuantileSketch, exact_quantile
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS, deadline
from streams.metrics.windows import (
    DEFAULT_SPECS,
    HOPPING_1H_5M,
    TUMBLING_1H,
    TUMBLING_1M,
    Watermarking,
    WindowAccumulator,
    WindowClock,
    WindowSnapshot,
    WindowSpec,
    WindowStore,
    windows_for,
)

__all__ = [
    "DEFAULT_SPECS",
    "FIRST_RESPONSE_STANDARDS",
    "HOPPING_1H_5M",
    "TUMBLING_1H",
    "TUMBLING_1M",
    "CaseEvent",
    "CaseRules",
    "CaseState",
    "CaseSummary",
    "Contribution",
    "EnrichedFeedback",
    "Kind",
    "NpsCategory",
    "QuantileSketch",
    "Watermarking",
    "WindowAccumulator",
    "WindowClock",
    "WindowSnapshot",
    "WindowSpec",
    "WindowStore",
    "apply",
    "ces_easy",
    "check_score",
    "csat_satisfied",
    "deadline",
    "enrich",
    "exact_quantile",
    "is_detractor_alert",
    "keeps_answer",
    "nps_category",
    "sla_check",
    "summarize",
    "touchpoint_seen",
    "windows_for",
]
