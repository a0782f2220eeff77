"""Generate a clinic-sized organisation for the benchmark: `seed_demo --children 2000 --seed 1`.

Families (one guardian each, one to three children), occupational therapists
and physiotherapists with caseloads of 20–60 children, and for every child a
care team of its guardian and an OT and/or a PT, a history of observations
across the catalogue at ages that fit the child (with corrections: the
withdrawn original stays and the correction points to it), goals with GAS
reviews, notes of every kind and visibility in their authors' voices, and the
audit trail those writes would have left.

Deterministic: the same `--seed` on the same day gives the same data (dates
are relative to today, so a child's age and history stay plausible). Rows go
in bulk inside one transaction: `bulk_create` in batches for people, children,
teams, goals and reviews; for the three tables of hundreds of thousands of
rows (observations, audit events, notes) plain parameter rows through
executemany, or COPY on PostgreSQL (see `Table`), which is what keeps 2,000
children under two minutes. Each skill's current observation is decided while
generating (the latest in force by date observed, then time recorded, then
id), never by calling the services row by row. Every bench user's email ends
in @bench.example and shares one password, hashed once.
"""

import random
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tracker import ages
from tracker.management import seed_programme
from tracker.models import (
    Activity,
    Assistance,
    AuditAction,
    AuditEvent,
    CareTeamMembership,
    Child,
    Discipline,
    GasLevel,
    Goal,
    GoalReview,
    GoalStatus,
    Invitation,
    Note,
    NoteKind,
    NoteRevision,
    Observation,
    PracticeLog,
    Role,
    SentReminder,
    Skill,
    Status,
    Visibility,
    Voice,
)
from tracker.progress import Progress

BENCH_EMAIL_DOMAIN = "bench.example"
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 (published benchmark login, local data only)
BATCH_SIZE = 2000
CHILDREN_PER_CHUNK = 200
CASELOAD_LOW, CASELOAD_HIGH, CASELOAD_TARGET = 20, 60, 40
OBSERVATIONS_PER_CHILD = (100, 300)
MAX_OBSERVATIONS_PER_SKILL = 8
INTAKE_DAYS = 30  # skills long past at joining are recorded within this many days of joining
CORRECTED_SHARE = 0.03
WITHDRAWN_SHARE = 0.01

GIVEN_NAMES = [
    "Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla", "Jack", "Kai", "Layla",
    "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wren", "Yusuf",
    "Zara", "Arlo", "Bea", "Cole", "Daisy", "Eli", "Freya", "Gus", "Hana", "Ivo", "Jade", "Leo", "Mila",
    "Nell", "Otis", "Pia", "Rory", "Sana", "Theo", "Uma", "Zeke",
]  # fmt: skip
FAMILY_NAMES = [
    "Adeyemi", "Baker", "Chen", "Dubois", "Evans", "Fernandes", "Green", "Hughes", "Iqbal", "Jones",
    "Kowalski", "Lopez", "Murphy", "Nguyen", "O'Brien", "Patel", "Quinn", "Rossi", "Singh", "Taylor",
    "Usman", "Varga", "Walker", "Xu", "Young", "Zielinski", "Ahmed", "Brown", "Campbell", "Davies",
    "Edwards", "Fischer", "Gallagher", "Hassan", "Ito", "Jensen", "Khan", "Larsen", "Morris", "Novak",
]  # fmt: skip
ADULT_NAMES = [
    "Alex", "Bianca", "Carlos", "Dana", "Emeka", "Fatima", "Gareth", "Helen", "Imran", "Joanna", "Karim",
    "Lucy", "Marek", "Nadia", "Owen", "Paula", "Rahul", "Sophie", "Tomasz", "Ursula", "Victor", "Wendy",
]  # fmt: skip

ASSISTANCE_BY_STATUS = {
    Status.NOT_YET: [Assistance.DEPENDENT, Assistance.MAXIMAL, Assistance.MODERATE],
    Status.EMERGING: [Assistance.MODERATE, Assistance.MINIMAL, Assistance.CONTACT_GUARD, Assistance.SUPERVISION],
    Status.ACHIEVED: [Assistance.SUPERVISION, Assistance.MODIFIED_INDEPENDENT, Assistance.INDEPENDENT],
}
STATUS_ORDER = [Status.NOT_YET, Status.EMERGING, Status.ACHIEVED]

# Notes in each author's voice: {name} is the child, {skill} a skill the note is about. Skill names are
# statements ("Kicks a ball forward"), so the texts quote them rather than use them as verbs.
SOAP = {
    Voice.OCCUPATIONAL_THERAPY: (
        "Parent reports {name} is keen to practise “{skill}” at home and gets frustrated with small pieces.",
        "Seated at table, “{skill}” attempted 6 times: 3 with hand-over-hand, 3 with verbal prompts only.",
        "Grasp and bilateral coordination improving; “{skill}” emerging with minimal assistance.",
        "Home programme: 5 minutes of practice daily with chunky tools (“{skill}”); review in 3 weeks.",
    ),
    Voice.PHYSIOTHERAPY: (
        "Family say {name} is more confident on the floor and at the park; tires on stairs.",
        "“{skill}”: 4 of 5 attempts with contact guard; wide base, good head control throughout.",
        "Strength and balance progressing; “{skill}” within reach before the next review.",
        "Practise barefoot twice a day (“{skill}”); add step-ups on the bottom stair; review in 4 weeks.",
    ),
}
GENERAL = {
    Voice.OCCUPATIONAL_THERAPY: [
        "Spoke with nursery about {name}'s seating at the table; they will try a foot block.",
        "{name} managed “{skill}” with a little help today. Keep offering it at meal times.",
        "Sensory diet reviewed: movement breaks before table work seem to help {name} settle.",
    ],
    Voice.PHYSIOTHERAPY: [
        "Orthotics review booked. {name}'s ankles are well aligned in the new shoes.",
        "{name} tried “{skill}” on the soft play equipment. Lovely effort; keep it playful at home.",
        "Discussed a walking frame trial with the OT; not needed for now.",
    ],
}
FAMILY_UPDATES = {
    Voice.FAMILY: [
        "At grandma's today, all on their own: “{skill}”!",
        "Tough week with a cold, so not much practice. Back to it on Monday.",
        "Nursery said {name} joined in at circle time for the first time.",
        "We tried the exercises every evening this week. “{skill}” is getting easier.",
    ],
    Voice.OCCUPATIONAL_THERAPY: ["Great session with {name} today: “{skill}” is really coming on. Well done all!"],
    Voice.PHYSIOTHERAPY: ["{name} worked so hard today. Keep up the practice (“{skill}”), it shows."],
}
GOAL_TEXT = (
    "“{skill}” with {help} in 3 of 4 attempts within 12 weeks.",
    [
        "Does not attempt “{skill}”",
        "Attempts “{skill}” with hand-over-hand help",
        "“{skill}” with minimal assistance, 3 of 4 times",
        "“{skill}” with supervision only",
        "“{skill}” independently in different settings",
    ],
)
GAS_FIELDS = ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")
NOTE_TEXT = ("kind", "visibility", "session_date", "body", "subjective", "objective", "assessment", "plan")
REVIEW_COMMENTS = ["Steady progress.", "Regressed after illness.", "Family practising daily.", "Ready to step up."]


@dataclass
class Person:
    email: str
    name: str
    profession: str
    pk: int | None = None


@dataclass
class ChildPlan:
    given_name: str
    family_name: str
    date_of_birth: date
    gestational_days: int | None
    public_id: uuid.UUID
    guardian: Person
    joined_at: datetime | None = None
    # voice (OT, PT, family) -> the person on the team who writes in it
    team: dict[str, Person] = field(default_factory=dict)
    pk: int | None = None
    writes: int = 0


def disciplines_seen(index: int) -> tuple[str, ...]:
    """Which therapists a child sees: 60% both, 20% only an OT, 20% only a PT (a fixed pattern)."""
    return {3: (Discipline.OCCUPATIONAL_THERAPY,), 4: (Discipline.PHYSIOTHERAPY,)}.get(
        index % 5, (Discipline.OCCUPATIONAL_THERAPY, Discipline.PHYSIOTHERAPY)
    )


def caseload_sizes(slots: int, rng: random.Random) -> list[int]:
    """Split `slots` children among therapists of one discipline, each caseload within 20–60.

    The bounds hold whenever `slots` >= 20 (below that one therapist takes them all).
    Sizes vary, as real caseloads do, by moving children between pairs of therapists.
    """
    if slots <= 0:
        return []
    count = max(1, round(slots / CASELOAD_TARGET))
    while count > 1 and slots / count < CASELOAD_LOW:
        count -= 1
    while slots / count > CASELOAD_HIGH:
        count += 1
    sizes = [slots // count + (1 if i < slots % count else 0) for i in range(count)]
    for _ in range(count * 3):
        a, b = rng.randrange(count), rng.randrange(count)
        room = min(sizes[a] - CASELOAD_LOW, CASELOAD_HIGH - sizes[b])
        if a != b and room > 0:
            moved = rng.randint(0, room // 2)
            sizes[a] -= moved
            sizes[b] += moved
    return sizes


@contextmanager
def historical_timestamps(*models_):
    """Let bulk_create write past creation times: auto_now(_add) would stamp every row with now."""
    fields = [f for model in models_ for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    fields += [f for model in models_ for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Table:
    """Rows for one large table, inserted with executemany under ids allocated here.

    `bulk_create` prepares every value through the ORM (about 100 µs a row on
    this machine: two minutes for the million rows of N = 2,000 before the
    database does anything), so the three largest tables — observations,
    audit events, notes — go in as plain parameter tuples, with Django's own
    adapters for dates, times and UUIDs. Ids are allocated here so that
    corrections, note links and audit events can point at rows without a
    round trip; the sequence is moved past them afterwards (PostgreSQL).
    """

    ADAPTED = frozenset({"DateTimeField", "DateField", "UUIDField", "DecimalField"})

    def __init__(self, model) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in fields]
        # Django's own defaults ("" for blank text, False, …); callable ones are always given.
        self.defaults = [None if f.has_default() and callable(f.default) else f.get_default() for f in fields]
        self.adapters = [self._adapter(f) for f in fields]
        self.rows: list[tuple] = []
        self.next_id: int | None = None
        self.inserted = 0

    @classmethod
    def _adapter(cls, field):
        """How a value of `field` goes to the driver; None when as it is."""
        kind = field.get_internal_type()
        if kind not in cls.ADAPTED or connection.vendor == "postgresql":
            return None  # psycopg adapts aware datetimes, dates and UUIDs itself
        if connection.vendor == "sqlite" and kind == "DateTimeField":
            # What Django's SQLite backend stores: naive UTC, ISO format with a space.
            return lambda value: value if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if connection.vendor == "sqlite" and kind == "DateField":
            return lambda value: value if value is None else value.isoformat()
        if connection.vendor == "sqlite" and kind == "UUIDField":
            return lambda value: value if value is None else value.hex
        return lambda value: field.get_db_prep_save(value, connection)

    def add(self, values: dict) -> int:
        if self.next_id is None:
            self.next_id = (self.model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        pk = self.next_id
        self.next_id += 1
        row = [values.get(column, default) for column, default in zip(self.columns, self.defaults, strict=True)]
        for i, adapt in enumerate(self.adapters):
            if adapt is not None:
                row[i] = adapt(row[i])
        self.rows.append((pk, *row))
        return pk

    def flush(self) -> None:
        """Insert the rows gathered so far: COPY on PostgreSQL, executemany elsewhere.

        sqlite3's executemany loops in C. psycopg's would pay a round trip per
        row, and a long multi-row INSERT is re-parsed client-side on every call;
        COPY streams the rows and lets psycopg adapt each value.
        """
        if not self.rows:
            return
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in ["id", *self.columns])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * (len(self.columns) + 1))
                # Table and column names come from the model's _meta; the values go through placeholders.
                insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
                for start in range(0, len(self.rows), BATCH_SIZE):
                    cursor.executemany(insert, self.rows[start : start + BATCH_SIZE])
        self.inserted += len(self.rows)
        self.rows = []

    def reset_sequence(self) -> None:
        """Let the database's own ids carry on after the ones allocated here."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


class Generator:
    """Builds the organisation in memory, a chunk of children at a time, and inserts it in bulk."""

    def __init__(self, *, children: int, seed: int, today: date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by design)
        self.n = children
        self.today = today
        self.yesterday = today - timedelta(days=1)
        # Nothing is dated after the end of yesterday, so the data set is the same all day.
        self.until = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(minutes=1)
        self.counts: Counter = Counter()
        self.skills = list(
            Skill.objects.catalogue()
            .select_related("domain")
            .order_by("domain__order", "order", "pk")
            .only("pk", "slug", "name", "domain_id", "window_start_months", "window_end_months", "domain__discipline")
        )
        for skill in self.skills:
            skill.start = float(skill.window_start_months or 0)
            skill.end = float(skill.window_end_months or skill.start + 12)
        self.observations = Table(Observation)
        self.events = Table(AuditEvent)
        self.notes = Table(Note)
        self.revisions: list[NoteRevision] = []
        self.skill_links: list = []
        self.goal_links: list = []

    # --- people and children -------------------------------------------------------

    def plan(self) -> tuple[list[Person], list[ChildPlan]]:
        rng = self.rng
        guardians: list[Person] = []
        children: list[ChildPlan] = []
        while len(children) < self.n:
            family = rng.choice(FAMILY_NAMES)
            guardian = Person(
                email=f"guardian{len(guardians) + 1}@{BENCH_EMAIL_DOMAIN}",
                name=f"{rng.choice(ADULT_NAMES)} {family}",
                profession="parent",
            )
            guardians.append(guardian)
            for _ in range(min(rng.choices([1, 2, 3], weights=[60, 30, 10])[0], self.n - len(children))):
                born = self.today - timedelta(days=rng.randint(120, 6 * 365 + 180))
                child = ChildPlan(
                    given_name=rng.choice(GIVEN_NAMES),
                    family_name=family,
                    date_of_birth=born,
                    gestational_days=rng.randint(26 * 7, 36 * 7 + 6) if rng.random() < 0.1 else None,
                    public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    guardian=guardian,
                )
                # Joined the tracker up to two years ago, never before birth.
                first_day = max(born + timedelta(days=3), self.today - timedelta(days=rng.randint(60, 730)))
                child.joined_at = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
                children.append(child)
        therapists: list[Person] = []
        for discipline, profession in [(Discipline.OCCUPATIONAL_THERAPY, "ot"), (Discipline.PHYSIOTHERAPY, "pt")]:
            needing = [c for i, c in enumerate(children) if discipline in disciplines_seen(i)]
            rng.shuffle(needing)
            start = 0
            for size in caseload_sizes(len(needing), rng):
                therapist = Person(
                    email=f"therapist{len(therapists) + 1}@{BENCH_EMAIL_DOMAIN}",
                    name=f"{rng.choice(ADULT_NAMES)} {rng.choice(FAMILY_NAMES)} ({discipline})",
                    profession=profession,
                )
                therapists.append(therapist)
                for child in needing[start : start + size]:
                    child.team[discipline] = therapist
                start += size
        for child in children:
            child.team[Voice.FAMILY] = child.guardian
        return guardians + therapists, children

    def insert_people(self, people: list[Person], children: list[ChildPlan]) -> None:
        User = get_user_model()
        password = make_password(BENCH_PASSWORD)  # hashed once, shared by every bench user
        joined = self.until - timedelta(days=800)
        users = User.objects.bulk_create(
            [
                User(email=p.email, name=p.name, profession=p.profession, password=password, date_joined=joined)
                for p in people
            ],
            batch_size=BATCH_SIZE,
        )
        for person, user in zip(people, users, strict=True):
            person.pk = user.pk
        rows = Child.objects.bulk_create(
            [
                Child(
                    public_id=c.public_id,
                    given_name=c.given_name,
                    family_name=c.family_name,
                    date_of_birth=c.date_of_birth,
                    gestational_days=c.gestational_days,
                    created_at=c.joined_at,
                    updated_at=self.until,
                )
                for c in children
            ],
            batch_size=BATCH_SIZE,
        )
        for plan, row in zip(children, rows, strict=True):
            plan.pk = row.pk
        memberships = [
            CareTeamMembership(
                child_id=c.pk,
                user_id=person.pk,
                role=Role.GUARDIAN if voice == Voice.FAMILY else Role.THERAPIST,
                discipline="" if voice == Voice.FAMILY else voice,
                joined_at=c.joined_at,
            )
            for c in children
            for voice, person in c.team.items()
        ]
        CareTeamMembership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        self.counts.update({"users": len(users), "children": len(rows), "care team memberships": len(memberships)})

    # --- each child's history ----------------------------------------------------------

    def history(self, children: list[ChildPlan], progress: Progress | None = None) -> None:
        for start in range(0, len(children), CHILDREN_PER_CHUNK):
            chunk = children[start : start + CHILDREN_PER_CHUNK]
            for child in chunk:
                self._observations(child)
                self._team_events(child)
            goals = self._goals(chunk)
            for child in chunk:
                self._notes(child, goals.get(child.pk, []))
            for table in (self.observations, self.notes, self.events):
                table.flush()
            self.counts["note revisions"] += len(self.revisions)
            for model, rows in [
                (NoteRevision, self.revisions),
                (Note.skills.through, self.skill_links),
                (Note.goals.through, self.goal_links),
            ]:
                model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
                rows.clear()
            if progress is not None:
                progress.advance(len(chunk))  # after the chunk's rows are written, not when they are planned
        for table in (self.observations, self.notes, self.events):
            table.reset_sequence()
        # Each child's data version counts the writes to its records; one UPDATE per distinct value.
        by_version: dict[int, list[int]] = {}
        for c in children:
            by_version.setdefault(max(c.writes, 1), []).append(c.pk)
        for version, ids in by_version.items():
            for part in range(0, len(ids), 500):
                Child.objects.filter(pk__in=ids[part : part + 500]).update(data_version=version)
        self.counts["observations"] = self.observations.inserted
        self.counts["audit events"] = self.events.inserted
        self.counts["notes"] = self.notes.inserted

    def _age_months(self, c: ChildPlan, day: date) -> float:
        return ages.effective_age_in_months(c.date_of_birth, c.gestational_days, day)

    def _past_at_joining(self, c: ChildPlan, skill) -> bool:
        """Whether the skill's typical window had closed when the child joined the tracker."""
        return skill.end < self._age_months(c, c.joined_at.date())

    def _day_at(self, c: ChildPlan, months: float) -> date:
        """The day the child reached `months` (corrected age where it applies)."""
        return ages.day_at_effective_age(c.date_of_birth, c.gestational_days, months)

    def _event(self, c: ChildPlan, actor: Person, action: str, object_type: str, object_id, summary: str, at) -> None:
        self.events.add(
            {
                "actor_id": actor.pk,
                "actor_name": actor.email,
                "action": action,
                "child_id": c.pk,
                "child_public_id": c.public_id,
                "object_type": object_type,
                "object_id": str(object_id),
                "summary": summary,
                "at": at,
            }
        )

    def _observations(self, c: ChildPlan) -> None:
        """100–300 observations across the skills the child is old enough for, with corrections."""
        rng = self.rng
        age_now = self._age_months(c, self.yesterday)
        applicable = [s for s in self.skills if s.start <= age_now + 3]
        target = rng.randint(*OBSERVATIONS_PER_CHILD)
        per_skill = [1] * len(applicable)
        # A skill whose typical window had closed before the child joined is recorded once, when the
        # family and therapists first go through the checklist: a six-year-old does not go from "not
        # yet" to "achieved" on a raking grasp in the weeks after joining. Repeated observations go
        # to the skills the child was still learning while on the tracker.
        learning = [i for i, skill in enumerate(applicable) if not self._past_at_joining(c, skill)]
        for _ in range(max(0, target - len(applicable))):
            i = rng.choice(learning or range(len(applicable)))
            per_skill[i] = min(MAX_OBSERVATIONS_PER_SKILL, per_skill[i] + 1)
        delayed = rng.random() < 0.12  # some children are behind in many skills: why they see a therapist
        for skill, count in zip(applicable, per_skill, strict=True):
            rows = []  # in insertion order: a mistaken original before the correction that points to it
            in_force = []
            for obs in self._skill_history(c, skill, count, delayed):
                roll = rng.random()
                if roll < CORRECTED_SHARE + WITHDRAWN_SHARE:
                    corrected = roll < CORRECTED_SHARE
                    wrong = self._mistake(obs, reason="Corrected" if corrected else "Recorded for the wrong child")
                    rows.append(wrong)
                    if corrected:
                        obs["corrects"] = wrong
                        obs["recorded_at"] = min(wrong["withdrawn_at"], self.until)
                        self.counts["corrections"] += 1
                    self.counts["observations withdrawn"] += 1
                rows.append(obs)
                in_force.append(obs)
            # The latest in force by date observed, then time recorded, then id (insertion order), as
            # services.refresh_current_status decides it.
            latest = max(
                range(len(in_force)), key=lambda i: (in_force[i]["observed_on"], in_force[i]["recorded_at"], i)
            )
            in_force[latest]["is_current"] = True
            self.counts["current observations"] += 1
            for obs in rows:
                wrong = obs.pop("corrects", None)
                if wrong is not None:
                    obs["corrects_id"] = wrong["id"]
                actor = c.team[obs["recorded_as"]]
                obs["id"] = self.observations.add(obs)
                summary = f"Recorded {obs['status'].replace('_', ' ')} for skill {skill.slug}"
                self._event(c, actor, AuditAction.CREATED, "observation", obs["id"], summary, obs["recorded_at"])
                if obs.get("withdrawn_at"):
                    summary = f"Withdrew: {obs['withdrawal_reason']}"
                    self._event(c, actor, AuditAction.WITHDREW, "observation", obs["id"], summary, obs["withdrawn_at"])
            c.writes += len(rows)

    def _skill_history(self, c: ChildPlan, skill, count: int, delayed: bool) -> list[dict]:
        """`count` observations of one skill, statuses never going backwards, at plausible ages."""
        rng = self.rng
        joined = c.joined_at.date()
        # Observed from a little before the window opens (or from joining), up to yesterday.
        first = max(joined, self._day_at(c, max(0.0, skill.start - 2)))
        if first > self.yesterday:
            first = max(joined, self.yesterday - timedelta(days=30))
        span = max(0, (self.yesterday - first).days)
        if self._past_at_joining(c, skill):
            span = min(span, INTAKE_DAYS)  # gone through in the first weeks on the tracker
        days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(count))
        final_age = self._age_months(c, days[-1])
        if delayed and rng.random() < 0.5:
            final = rng.choice([Status.NOT_YET, Status.EMERGING])
        elif final_age >= skill.end:
            final = Status.ACHIEVED if rng.random() < 0.9 else Status.EMERGING
        elif final_age >= skill.start:
            final = rng.choice([Status.EMERGING, Status.ACHIEVED])
        else:
            final = rng.choice([Status.NOT_YET, Status.NOT_YET, Status.EMERGING])
        top = STATUS_ORDER.index(final)
        levels = sorted(rng.randint(0, top) for _ in range(count - 1)) + [top]
        lead = skill.domain.discipline if skill.domain.discipline in c.team else Voice.FAMILY
        history = []
        for n, (day, level) in enumerate(zip(days, levels, strict=True)):
            voice = lead if rng.random() < 0.6 else Voice.FAMILY
            person = c.team[voice]
            status = STATUS_ORDER[level]
            recorded = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=rng.randint(8, 19), minutes=rng.randint(0, 59), seconds=n
            )
            if rng.random() < 0.2:
                recorded += timedelta(days=rng.randint(1, 3))  # written up later
            history.append(
                {
                    "child_id": c.pk,
                    "skill_id": skill.pk,
                    "observed_on": day,
                    "status": status,
                    "assistance": rng.choice(ASSISTANCE_BY_STATUS[status]) if voice != Voice.FAMILY else "",
                    "note": "Seen in the session." if rng.random() < 0.1 else "",
                    "recorded_by_id": person.pk,
                    "recorded_by_name": person.name,
                    "recorded_as": voice,
                    "recorded_at": min(recorded, self.until),
                }
            )
        return history

    def _mistake(self, obs: dict, *, reason: str) -> dict:
        """A mistaken record of the same day, withdrawn when the mistake was noticed."""
        recorded = obs["recorded_at"] - timedelta(minutes=self.rng.randint(1, 120))
        return {
            **obs,
            "status": self.rng.choice([s for s in STATUS_ORDER if s != obs["status"]]),
            "assistance": "",
            "note": "",
            "recorded_at": recorded,
            "withdrawn_at": min(recorded + timedelta(minutes=self.rng.randint(5, 600)), self.until),
            "withdrawn_by_id": obs["recorded_by_id"],
            "withdrawal_reason": reason,
        }

    def _team_events(self, c: ChildPlan) -> None:
        """What the timeline's 'team changes' show: the child added, each therapist joining."""
        self._event(c, c.guardian, AuditAction.CREATED, "child", c.public_id, "Added the child's profile", c.joined_at)
        for voice, person in c.team.items():
            if voice != Voice.FAMILY:
                at = c.joined_at + timedelta(minutes=30)
                self._event(
                    c, person, AuditAction.JOINED, "careteammembership", "", f"Joined as Therapist ({voice})", at
                )

    def _goals(self, chunk: list[ChildPlan]) -> dict[int, list[Goal]]:
        rng = self.rng
        goals: list[Goal] = []
        for c in chunk:
            age_now = self._age_months(c, self.today)
            therapist_voices = [v for v in (Voice.OCCUPATIONAL_THERAPY, Voice.PHYSIOTHERAPY) if v in c.team]
            for _ in range(rng.randint(1, 4)):
                voice = rng.choice(therapist_voices)
                owner = c.team[voice]
                ours = [s for s in self.skills if s.domain.discipline == voice]
                skill = rng.choice([s for s in ours if s.start <= age_now + 6] or ours)
                created = min(c.joined_at + timedelta(days=rng.randint(7, 60)), self.until - timedelta(days=1))
                text, levels = GOAL_TEXT
                name = skill.name
                help_ = rng.choice(["minimal assistance", "supervision", "no help"])
                goal = Goal(
                    child_id=c.pk,
                    domain_id=skill.domain_id,
                    skill_id=skill.pk if rng.random() < 0.7 else None,
                    description=text.format(name=c.given_name, skill=name, help=help_),
                    target_date=created.date() + timedelta(weeks=12),
                    status=rng.choices(list(GoalStatus), weights=[70, 20, 10])[0],
                    owner_id=owner.pk,
                    owner_name=owner.name,
                    weight=rng.randint(1, 3),
                    baseline_level=rng.choice([GasLevel.MUCH_LESS, GasLevel.LESS]),
                    created_at=created,
                    updated_at=created,
                    **{field: level.format(skill=name) for field, level in zip(GAS_FIELDS, levels, strict=True)},
                )
                goal.voice = voice
                goal.plan = c
                goals.append(goal)
        Goal.objects.bulk_create(goals, batch_size=BATCH_SIZE)
        reviews = []
        for goal in goals:
            level, day, owner = goal.baseline_level, goal.created_at.date(), goal.plan.team[goal.voice]
            goal.plan.writes += 1
            for _ in range(rng.randint(0, 5)):
                day += timedelta(days=rng.randint(14, 45))
                if day >= self.today:
                    break
                level = max(-2, min(2, level + rng.choice([-1, 0, 1, 1])))
                at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
                reviews.append(
                    GoalReview(
                        goal_id=goal.pk,
                        reviewed_on=day,
                        level=level,
                        comment=rng.choice(REVIEW_COMMENTS),
                        reviewed_by_id=owner.pk,
                        reviewed_by_name=owner.name,
                        reviewer_voice=goal.voice,
                        created_at=min(at, self.until),
                    )
                )
                goal.plan.writes += 1
        GoalReview.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
        self.counts.update({"goals": len(goals), "goal reviews": len(reviews)})
        grouped: dict[int, list[Goal]] = {}
        for goal in goals:
            grouped.setdefault(goal.child_id, []).append(goal)
        return grouped

    def _notes(self, c: ChildPlan, goals: list[Goal]) -> None:
        """8–30 notes of every kind and visibility, in their authors' voices; some edited or withdrawn."""
        rng = self.rng
        joined = c.joined_at.date()
        span = max(1, (self.today - joined).days - 1)
        age_now = self._age_months(c, self.today)
        own_skills = [s for s in self.skills if s.start <= age_now] or self.skills[:5]
        therapist_voices = [v for v in (Voice.OCCUPATIONAL_THERAPY, Voice.PHYSIOTHERAPY) if v in c.team]
        for _ in range(rng.randint(8, 30)):
            kind = rng.choices([NoteKind.SESSION, NoteKind.GENERAL, NoteKind.FAMILY_UPDATE], weights=[45, 25, 30])[0]
            family = kind == NoteKind.FAMILY_UPDATE and rng.random() < 0.8
            voice = Voice.FAMILY if family else rng.choice(therapist_voices)
            author = c.team[voice]
            skill = rng.choice(own_skills)
            words = {"name": c.given_name, "skill": skill.name}
            day = joined + timedelta(days=rng.randint(0, span))
            written = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=rng.randint(9, 20), minutes=rng.randint(0, 59)
            )
            written = min(written, self.until)
            note = {
                "child_id": c.pk,
                "author_id": author.pk,
                "author_name": author.name,
                "author_voice": voice,
                "session_date": day,
                "kind": kind,
                "visibility": Visibility.FAMILY,
                "version": 1,
                "created_at": written,
                "updated_at": written,
                **dict.fromkeys(("body", "subjective", "objective", "assessment", "plan"), ""),
            }
            if kind == NoteKind.SESSION:
                note["visibility"] = Visibility.TEAM if rng.random() < 0.7 else Visibility.FAMILY
                for name, text in zip(("subjective", "objective", "assessment", "plan"), SOAP[voice], strict=True):
                    note[name] = text.format(**words)
            else:
                if kind == NoteKind.GENERAL:
                    note["visibility"] = rng.choice([Visibility.TEAM, Visibility.FAMILY])
                note["body"] = rng.choice((GENERAL if kind == NoteKind.GENERAL else FAMILY_UPDATES)[voice]).format(
                    **words
                )
            first_text = {name: note[name] for name in NOTE_TEXT}
            if rng.random() < 0.1:
                note["version"] = 2
                note["updated_at"] = min(written + timedelta(hours=rng.randint(1, 72)), self.until)
                edited = "body" if note["body"] else "plan"
                note[edited] += " Edited to add: see you at the next session."
            if rng.random() < 0.03:
                note["withdrawn_at"] = note["updated_at"]
                note["withdrawn_by_id"] = author.pk
            pk = self.notes.add(note)
            self.counts[f"notes: {kind}, {note['visibility']}"] += 1
            self._event(c, author, AuditAction.CREATED, "note", pk, f"Wrote a {kind.label.lower()}", written)
            if note["version"] > 1:
                self.revisions.append(
                    NoteRevision(
                        note_id=pk, version=1, written_at=written, replaced_at=note["updated_at"], **first_text
                    )
                )
                summary = "Edited a note (now version 2)"
                self._event(c, author, AuditAction.CHANGED, "note", pk, summary, note["updated_at"])
            if note.get("withdrawn_at"):
                self._event(c, author, AuditAction.WITHDREW, "note", pk, "Withdrew a note", note["withdrawn_at"])
            if rng.random() < 0.5:
                self.skill_links.append(Note.skills.through(note_id=pk, skill_id=skill.pk))
            if goals and voice != Voice.FAMILY and rng.random() < 0.3:
                self.goal_links.append(Note.goals.through(note_id=pk, goal_id=rng.choice(goals).pk))
            c.writes += note["version"] + (1 if note.get("withdrawn_at") else 0)


def delete_bench_data() -> dict[str, int]:
    """Remove every bench user and every child on a bench user's team, with all their records.

    Plain DELETE statements, not the ORM's collector: it would load hundreds of
    thousands of rows to check PROTECT/RESTRICT links, and audit events refuse
    ORM deletion (append-only), and the database refuses it too without a purge
    permit — these are synthetic and go with their children.
    """
    User = get_user_model()

    def sql(template: str, **parts) -> str:
        """Fill {names} with models' quoted table names (from _meta) or subqueries; values stay parameters."""
        return template.format(
            **{
                name: part if isinstance(part, str) else connection.ops.quote_name(part._meta.db_table)
                for name, part in parts.items()
            }
        )

    users = sql("SELECT id FROM {t} WHERE email LIKE %s", t=User)
    children = sql("SELECT child_id FROM {t} WHERE user_id IN ({users})", t=CareTeamMembership, users=users)
    notes = sql("SELECT id FROM {t} WHERE child_id IN ({children})", t=Note, children=children)
    goals = sql("SELECT id FROM {t} WHERE child_id IN ({children})", t=Goal, children=children)
    by_note, by_child = "DELETE FROM {t} WHERE note_id IN ({notes})", "DELETE FROM {t} WHERE child_id IN ({children})"
    activities = sql("SELECT id FROM {t} WHERE child_id IN ({children})", t=Activity, children=children)
    by_activity = "DELETE FROM {t} WHERE activity_id IN ({activities})"
    steps = [
        ("practice logs", sql(by_child, t=PracticeLog, children=children)),
        ("activity skill links", sql(by_activity, t=Activity.skills.through, activities=activities)),
        ("home activities", sql(by_child, t=Activity, children=children)),
        ("sent reminders", sql(by_child, t=SentReminder, children=children)),
        ("note skill links", sql(by_note, t=Note.skills.through, notes=notes)),
        ("note goal links", sql(by_note, t=Note.goals.through, notes=notes)),
        ("note revisions", sql(by_note, t=NoteRevision, notes=notes)),
        ("notes", sql(by_child, t=Note, children=children)),
        ("goal reviews", sql("DELETE FROM {t} WHERE goal_id IN ({goals})", t=GoalReview, goals=goals)),
        ("corrections", sql("UPDATE {t} SET corrects_id = NULL WHERE child_id IN ({c})", t=Observation, c=children)),
        *((label, sql(by_child, t=model, children=children)) for label, model in [
            ("observations", Observation),
            ("goals", Goal),
            ("audit events", AuditEvent),
            ("invitations", Invitation),
            ("custom skills", Skill),
        ]),
        ("children", sql("DELETE FROM {t} WHERE id IN ({children})", t=Child, children=children)),
    ]  # fmt: skip
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # The database refuses to delete audit events except under a purge permit (migration tracker/0012,
        # docs/security.md "Retention"): these are synthetic, and go with their synthetic children.
        cursor.execute("INSERT INTO tracker_audit_purge_permit (reason) VALUES (%s)", ["seed_demo --reset"])
        for label, sql in steps:
            cursor.execute(sql, [f"%@{BENCH_EMAIL_DOMAIN}"])
            deleted[label] = cursor.rowcount
        cursor.execute("DELETE FROM tracker_audit_purge_permit WHERE reason = %s", ["seed_demo --reset"])
        # The children are gone, so the memberships and the people can go through the ORM.
        deleted["users"] = User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").delete()[0]
    return deleted


class Command(BaseCommand):
    help = "Generate a large, deterministic demo organisation for the benchmark (bulk inserts)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--children", type=int, default=200, help="How many children (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--reset", action="store_true", help="First delete the data a previous run made.")

    def handle(self, *args, children: int, seed: int, reset: bool, **options) -> None:
        if children < 1:
            raise CommandError("--children must be at least 1.")
        User = get_user_model()
        started = time.monotonic()
        if reset:
            deleted = delete_bench_data()
            took = time.monotonic() - started
            self.stdout.write(f"Deleted the previous bench data ({deleted['children']} children) in {took:.1f} s.")
            started = time.monotonic()
        elif User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").exists():
            raise CommandError("Bench data already exists here. Run again with --reset to replace it.")
        if not Skill.objects.catalogue().exists():
            call_command("load_catalogue", verbosity=0)

        if connection.vendor == "sqlite":
            # A 256 MB page cache for this connection: the indexes of a million new rows stay in memory.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        generator = Generator(children=children, seed=seed, today=timezone.localdate())
        with transaction.atomic(), historical_timestamps(Child, Goal, GoalReview, NoteRevision):
            people, plans = generator.plan()
            generator.insert_people(people, plans)
            # The history is nearly all of the run (75–120 s at 2,000 children): progress by children done.
            progress = Progress(
                self.stdout, "seed_demo", total=len(plans), unit="children", verbosity=options["verbosity"]
            )
            with progress:
                generator.history(plans, progress)
            seed_programme.seed(
                people=people, plans=plans, seed=seed, today=generator.today, table=Table, counts=generator.counts
            )
        if connection.vendor == "postgresql":
            # Planner statistics for the new rows now, as autovacuum would soon after.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started

        self._report(generator, people, plans, seed, elapsed)

    def _report(self, generator: Generator, people, plans, seed: int, elapsed: float) -> None:
        vendor = connection.vendor
        self.stdout.write(f"Made in {elapsed:.1f} s on {vendor} (seed {seed}):")
        for label, count in sorted(generator.counts.items()):
            self.stdout.write(f"  {label:32} {count:>9,}")
        therapists = [p for p in people if p.profession in ("ot", "pt")]
        caseload = Counter(p.email for c in plans for voice, p in c.team.items() if voice != Voice.FAMILY)
        sizes = sorted(caseload.values())
        self.stdout.write(
            f"  {len(therapists)} therapists, caseloads {sizes[0]}–{sizes[-1]} children" if sizes else "  no therapists"
        )
        guardians = [p for p in people if p.profession == "parent"]
        self.stdout.write(f"Logins (password for each: {BENCH_PASSWORD}):")
        for person in therapists[:2] + guardians[:2]:
            extra = f", {caseload[person.email]} children" if person.email in caseload else ""
            self.stdout.write(f"  {person.email:32} {person.name}{extra}")
        self.stdout.write(
            f"  … therapist1–{len(therapists)}@{BENCH_EMAIL_DOMAIN}, guardian1–{len(guardians)}@{BENCH_EMAIL_DOMAIN}"
        )
