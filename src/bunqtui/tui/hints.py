"""The query examples the filter and search boxes show: one list, each parsed by a test."""

from __future__ import annotations

# every one is accepted by bunqtui.core.query.PaymentFilter.parse (tests/tui/test_keys_input.py)
FILTER_EXAMPLES = ("words", "12.50", ">100", "<0", "10..20", "since:2026-06-01")
SEARCH_EXAMPLES = (
    "words",
    "12.50",
    ">100",
    "<0",
    "10..20",
    "2026-01-01..2026-03-31",
    "since:2026-06-01",
)
FILTER_PLACEHOLDER = "Filter: " + "  ".join(FILTER_EXAMPLES) + "  Esc clears"
SEARCH_PLACEHOLDER = "  ".join(SEARCH_EXAMPLES)
