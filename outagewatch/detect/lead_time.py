"""How far the social signal led the official acknowledgment, graded A to F.

>>> lead_grade(10), lead_grade(20), lead_grade(90), lead_grade(240), lead_grade(241)
('A', 'B', 'C', 'D', 'F')
"""

from __future__ import annotations

UNACKNOWLEDGED_MINUTES = 240.0  # an incident never acknowledged counts as a 4-hour lead
GRADES = ((15.0, "A"), (30.0, "B"), (120.0, "C"), (240.0, "D"))


def lead_grade(minutes: float) -> str:
    """A under 15 min, B 15-30, C 30 min-2 h, D 2-4 h, F over 4 h."""
    for limit, grade in GRADES:
        if minutes < limit or (grade == "D" and minutes <= limit):
            return grade
    return "F"
