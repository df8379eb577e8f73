"""The speech the model tests: its month and its words (no dependencies, cheap to import)."""

#: Month of the NATO-Industry Forum speech (Bucharest, 6 Nov 2025): the default month of
#: every "who is ahead?" check.
SPEECH_MONTH = "2025-11"

#: The speech's words (English as reported by several outlets; the seed article is French).
CLAIM = (
    "Until recently, Russia was producing more ammunition than all NATO Allies put "
    "together. But not anymore."
)
