"""Where a child stands on each skill: what was recorded, and what that means against the skill's age window.

The clinical rules of DESIGN.md ("Clinical rules") in one place, as data and
small pure functions; nothing here knows the ORM. Every page, count and chart
that says "overdue", "to check" or "no longer seen" asks this module, so a
checklist, the overview, the caseload, a chart and What's new can never
disagree.

Two questions, kept apart because known and unknown are different things:
- *recorded*: what the latest observation in force says (achieved, emerging,
  not yet), or *not recorded*: nobody has said anything, which is unknown,
  never late;
- *standing*: where that puts the child against the skill's window, by the
  first rule in RULES that holds.

Only *overdue* is a concern: the latest observation is "not yet" or
"emerging" and the child's (corrected) age is past an end that means "most
children by" (WHO's 99th percentile, a CDC 2022 checkpoint that 3 in 4
children reach). A window that is a *typical age* gives at most "later than
typical": information for a therapist, not an alarm. A skill seen achieved
and then recorded "not yet" or "emerging" is *no longer seen*, which CDC
advises acting on at once at any age: it is raised apart from, and above,
everything else.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Recorded(StrEnum):
    ACHIEVED = "achieved"
    EMERGING = "emerging"
    NOT_YET = "not_yet"
    NOT_RECORDED = "not_recorded"


class Standing(StrEnum):
    NO_LONGER_SEEN = "no_longer_seen"
    OVERDUE = "overdue"
    TO_CHECK = "to_check"
    LATER_THAN_TYPICAL = "later_than_typical"
    EXPECTED_NOW = "expected_now"
    STARTING_NOW = "starting_now"
    COMING_UP = "coming_up"
    ACHIEVED = "achieved"
    NOT_NEEDED = "not_needed"
    TRACKED = "tracked"
    LATER = "later"


# --- The rules, as data ---------------------------------------------------------------

# Window kinds whose end means "most children by": only these can make a skill overdue.
MOST_CHILDREN_BY = frozenset({"who_percentiles", "cdc_checkpoint"})
COMING_UP_MONTHS = 6


@dataclass(frozen=True)
class Norm:
    """What the catalogue says about a skill's age: its window, what kind of window, and its sequence."""

    start: float | None = None
    end: float | None = None
    median: float | None = None
    kind: str = ""
    optional: bool = False
    sequence: str = ""
    order: int = 0

    @classmethod
    def of(cls, skill) -> "Norm":
        """From anything with the Skill model's field names."""

        def months(value) -> float | None:
            return float(value) if value is not None else None

        return cls(
            start=months(skill.window_start_months),
            end=months(skill.window_end_months),
            median=months(getattr(skill, "median_months", None)),
            kind=getattr(skill, "window_kind", ""),
            optional=getattr(skill, "optional", False),
            sequence=getattr(skill, "sequence", ""),
            order=getattr(skill, "order", 0),
        )

    @property
    def has_window(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def end_means_most_children(self) -> bool:
        return self.kind in MOST_CHILDREN_BY


@dataclass(frozen=True)
class Facts:
    """Everything a rule may look at for one child and one skill."""

    norm: Norm
    recorded: Recorded
    age: float  # months, corrected while correction applies
    lost: bool = False  # seen achieved, then recorded "not yet" or "emerging"
    not_needed: bool = False  # optional, and a later skill of its sequence is achieved

    @property
    def past_end(self) -> bool:
        return self.norm.end is not None and self.age > self.norm.end


@dataclass(frozen=True)
class Rule:
    standing: Standing
    when: str  # the rule in words, for docs/clinical.md
    why: str  # its clinical reason or source
    holds: Callable[[Facts], bool]


RULES: tuple[Rule, ...] = (
    Rule(
        Standing.ACHIEVED,
        "The latest observation says achieved.",
        "A skill's current status is its latest observation in force (corrections and withdrawals excluded).",
        lambda f: f.recorded == Recorded.ACHIEVED,
    ),
    Rule(
        Standing.NO_LONGER_SEEN,
        "The latest observation says not yet or emerging, and an earlier one in force said achieved.",
        "CDC: act early on any loss of skills a child once had, at any age (Zubler et al. 2022).",
        lambda f: f.lost,
    ),
    Rule(
        Standing.NOT_NEEDED,
        "The skill is optional and a later skill of the same sequence is achieved.",
        "Many healthy children skip it: about 4.3 % never crawl on hands and knees (WHO MGRS 2006).",
        lambda f: f.norm.optional and f.not_needed,
    ),
    Rule(
        Standing.TRACKED,
        "The skill has no age norm we can cite.",
        "No checkable source gives an age, so none is invented: the skill is tracked over time, never late.",
        lambda f: f.norm.end is None,
    ),
    Rule(
        Standing.TO_CHECK,
        "Nobody has recorded the skill and the child's age is past the window's end.",
        "Not recorded is unknown, not late: ask the family. Never counted as a concern.",
        lambda f: f.past_end and f.recorded == Recorded.NOT_RECORDED,
    ),
    Rule(
        Standing.OVERDUE,
        "Recorded not yet or emerging, past an end that means “most children by” (WHO 99th percentile or a "
        "CDC 2022 checkpoint), and the skill is not optional.",
        "WHO MGRS 2006 windows end at the 99th percentile; CDC 2022 milestones are reached by at least 75 % "
        "of children by the checkpoint.",
        lambda f: f.past_end and f.norm.end_means_most_children and not f.norm.optional,
    ),
    Rule(
        Standing.LATER_THAN_TYPICAL,
        "Recorded not yet or emerging, past a window that is a typical age (or an optional skill's window).",
        "A typical age (when a skill is often first seen) is not a limit: information for the therapist, "
        "never an alarm.",
        lambda f: f.past_end,
    ),
    Rule(
        Standing.EXPECTED_NOW,
        "The child's age is between the median age of achievement and the window's end.",
        "Half of children or more have the skill from the median on (WHO MGRS 2006 medians).",
        lambda f: f.norm.median is not None and f.norm.median <= f.age,
    ),
    Rule(
        Standing.STARTING_NOW,
        "The child's age is inside the window, before its median (or the source gives no median).",
        "Inside the window, before most children have the skill: some children start now.",
        lambda f: f.norm.start <= f.age,
    ),
    Rule(
        Standing.COMING_UP,
        f"The window starts within the next {COMING_UP_MONTHS} months.",
        "What to look out for next.",
        lambda f: f.norm.start <= f.age + COMING_UP_MONTHS,
    ),
    Rule(Standing.LATER, "Otherwise: the window starts later.", "For older children.", lambda f: True),
)


def rules_table() -> str:
    """RULES as a Markdown table, for docs/clinical.md (a test keeps the two the same)."""
    lines = ["| Standing | When (the first rule that holds) | Why |", "|---|---|---|"]
    lines += [f"| {MEANINGS[rule.standing].heading} | {rule.when} | {rule.why} |" for rule in RULES]
    return "\n".join(lines)


def standing_of(facts: Facts) -> Standing:
    """The standing of the first rule in RULES that holds."""
    return next(rule.standing for rule in RULES if rule.holds(facts))


# --- What each standing means to the people who read it -----------------------------------


@dataclass(frozen=True)
class Meaning:
    heading: str
    explanation: str
    concern: bool = False  # counted as a concern (overview, caseload, What's new, charts)
    calm: bool = True  # shown without alarm colours


MEANINGS: dict[Standing, Meaning] = {
    Standing.NO_LONGER_SEEN: Meaning(
        "No longer seen",
        "Recorded as achieved before, and not seen now. Children can have off days, but a skill that goes away "
        "should be checked: talk to your child's doctor or therapist soon.",
        concern=True,
        calm=False,
    ),
    Standing.OVERDUE: Meaning(
        "Overdue",
        "Most children do these by now, and they are recorded as not yet or emerging. Children vary; talk to "
        "your child's therapist or doctor about them.",
        concern=True,
        calm=False,
    ),
    Standing.TO_CHECK: Meaning(
        "To check",
        "Nobody has recorded these yet and their usual age has passed. This is not a concern: tick the ones "
        "your child already does.",
    ),
    Standing.LATER_THAN_TYPICAL: Meaning(
        "Later than typical",
        "Often seen by this age, but the age is typical, not a limit. Your child's therapist can say more.",
    ),
    Standing.EXPECTED_NOW: Meaning("Expected now", "Half of children or more do these at this age."),
    Standing.STARTING_NOW: Meaning("Some children start now", "Skills that some children of this age are starting."),
    Standing.COMING_UP: Meaning("Coming up", f"Skills some children start in the next {COMING_UP_MONTHS} months."),
    Standing.ACHIEVED: Meaning("Achieved", ""),
    Standing.NOT_NEEDED: Meaning(
        "Not needed",
        "Many children skip these and move on: a later skill is already achieved.",
    ),
    Standing.TRACKED: Meaning(
        "Tracked over time",
        "No age norm we can cite: tracked to show change over time, never late.",
    ),
    Standing.LATER: Meaning("Later", "For older children."),
}

# The order groups are shown in: what a parent needs first at the top.
GROUP_ORDER: tuple[Standing, ...] = (
    Standing.NO_LONGER_SEEN,
    Standing.OVERDUE,
    Standing.EXPECTED_NOW,
    Standing.STARTING_NOW,
    Standing.COMING_UP,
    Standing.TO_CHECK,
    Standing.LATER_THAN_TYPICAL,
    Standing.TRACKED,
    Standing.ACHIEVED,
    Standing.NOT_NEEDED,
    Standing.LATER,
)
CONCERNS = frozenset(standing for standing, meaning in MEANINGS.items() if meaning.concern)


# --- Words for a window, by what its numbers mean -------------------------------------------


def months_in_words(value: float) -> str:
    """12.0 -> '12 months', 17.6 -> '17.6 months', 1.0 -> '1 month'."""
    text = f"{value:g}" if value != int(value) else str(int(value))
    return f"{text} month{'' if value == 1 else 's'}"


def window_in_words(norm: Norm) -> str:
    """The window as its source means it: "almost all children (99 %) by 17.6 months"."""
    if not norm.has_window:
        return "No age norm we can cite: tracked over time."
    end = months_in_words(norm.end)
    if norm.kind == "who_percentiles":
        text = f"Almost all children (99 %) by {end}"
        if norm.median is not None:
            text += f"; half by {months_in_words(norm.median)}"
        return text + "."
    if norm.kind == "cdc_checkpoint":
        return f"3 in 4 children by {end}."
    if norm.kind == "set_for_child":
        return f"Set for this child by a therapist: {norm.start:g}–{end}."
    return f"Often seen around {norm.start:g}–{end}."


# --- A whole child ---------------------------------------------------------------------------


def recorded_of(status: str | None) -> Recorded:
    return Recorded(status) if status else Recorded.NOT_RECORDED


def not_needed_keys(norms: dict, achieved: Iterable) -> set:
    """Keys of optional skills a later, non-optional skill of the same sequence has made moot.

    `norms` maps any key to a Norm; `achieved` holds the keys whose current status is achieved.
    """
    reached: dict[str, int] = {}
    for key in achieved:
        norm = norms.get(key)
        if norm is not None and norm.sequence and not norm.optional:
            reached[norm.sequence] = max(reached.get(norm.sequence, -1), norm.order)
    return {
        key
        for key, norm in norms.items()
        if norm.optional and norm.sequence in reached and reached[norm.sequence] > norm.order
    }


def standings(items: Sequence[tuple[object, Norm, str | None, bool]], age: float) -> list[Standing]:
    """The standing of each (key, norm, current status or None, lost) for a child of `age` months, in order."""
    norms = {key: norm for key, norm, _, _ in items}
    moot = not_needed_keys(norms, [key for key, _, status, _ in items if status == Recorded.ACHIEVED])
    return [
        standing_of(Facts(norm=norm, recorded=recorded_of(status), age=age, lost=lost, not_needed=key in moot))
        for key, norm, status, lost in items
    ]


def lost_in_history(statuses: Sequence[str]) -> bool:
    """Whether a skill's history in force (oldest first) shows it achieved and then no longer."""
    if not statuses or statuses[-1] == Recorded.ACHIEVED:
        return False
    return Recorded.ACHIEVED in statuses[:-1]
