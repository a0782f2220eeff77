"""Report the skill catalogue's sources, and fail on any skill a reader could not check.

Prints each source with its full citation and how many skills it gives a
window of each kind, the count of skills per domain and per kind, and the
skills with no age norm (tracked, never late). Exits non-zero, naming each
one, on any skill without a checkable citation or with a window that breaks
the rules in `tracker/catalogue.py`; CI runs it on a freshly loaded catalogue.

`--markdown` prints the source table for docs/clinical.md instead;
`--write docs/clinical.md` puts it between that file's markers.
"""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker import catalogue
from tracker.models import Domain, Skill, Source, WindowKind

NO_WINDOW = "No window (no age norm we can cite)"
START = "<!-- catalogue_report --markdown: start -->"
END = "<!-- catalogue_report --markdown: end -->"


def section_of(text: str) -> str:
    """What stands between the markers of a document, without the lines that hold them."""
    if START not in text or END not in text:
        raise ValueError(f"the document has no {START} … {END} section")
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def with_section(text: str, body: str) -> str:
    """The document with `body` between its markers."""
    section_of(text)  # the markers are there
    before, rest = text.split(START, 1)
    return f"{before}{START}\n{body}\n{END}{rest.split(END, 1)[1]}"


def kind_label(kind: str) -> str:
    return WindowKind(kind).label if kind else NO_WINDOW


def kind_rank(kind: str) -> int:
    """WHO, CDC, typical age, set for a child, then no window."""
    values = list(WindowKind.values)
    return values.index(kind) if kind in values else len(values)


class Command(BaseCommand):
    help = "Each source of the skill catalogue with its skills per window kind; fails on any uncheckable skill."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--markdown", action="store_true", help="Print the source table as Markdown (for docs/clinical.md)."
        )
        parser.add_argument(
            "--write", metavar="FILE", help="Put the Markdown table between FILE's markers instead of printing it."
        )

    def handle(self, *args, markdown: bool = False, write: str | None = None, **options) -> None:
        skills = list(Skill.objects.catalogue().select_related("source", "domain"))
        sources = list(Source.objects.all())
        per_source = Counter((skill.source_id, skill.window_kind) for skill in skills)
        table = self._table(sources, per_source)
        if write:
            path = Path(write)
            try:
                path.write_text(with_section(path.read_text(), self._markdown(table, len(skills))))
            except (OSError, ValueError) as error:
                raise CommandError(f"Could not write the source table into {write}: {error}") from error
            self.stdout.write(f"Wrote the source table into {write}.")
        elif markdown:
            self.stdout.write(self._markdown(table, len(skills)))
        else:
            self._report(skills, table)
        found = catalogue.problems(
            (catalogue.Entry.of(skill) for skill in skills), {source.slug: source.citation for source in sources}
        )
        if not found:
            if not (markdown or write):
                self.stdout.write(self.style.SUCCESS("\nEvery catalogue skill and source can be checked."))
            return
        lines = "\n".join(f"  {what}: {why}" for what, why in found)
        raise CommandError(
            f"{len(found)} problem(s) in the catalogue: a reader could not check these.\n{lines}\n"
            "Fix fixtures/catalogue.json (see tracker/catalogue.py for the rules) and reload it."
        )

    @staticmethod
    def _table(sources: list[Source], per_source: Counter) -> list[tuple[Source | None, list[tuple[str, int]]]]:
        """Each source (most skills first) with its (kind, count) pairs; skills with no source last, as None."""
        rows = []
        for source in [*sources, None]:
            source_id = source.pk if source else None
            kinds = sorted(
                ((kind, count) for (sid, kind), count in per_source.items() if sid == source_id),
                key=lambda pair: kind_rank(pair[0]),
            )
            if kinds or source is not None:
                rows.append((source, kinds))
        return sorted(rows, key=lambda row: (row[0] is None, -sum(n for _, n in row[1]), str(row[0] or "")))

    def _report(self, skills: list[Skill], table) -> None:
        write = self.stdout.write
        write(f"The skill catalogue: {len(skills)} skills from {sum(1 for s, _ in table if s)} sources.\n")
        write("Sources")
        for source, kinds in table:
            total = sum(count for _, count in kinds)
            write(f"{source.short_name if source else 'NO SOURCE'}: {total} skill{'' if total == 1 else 's'}")
            if source:
                write(f"  {source.citation}")
                if source.url:
                    write(f"  {source.url}")
            for kind, count in kinds:
                write(f"    {kind_label(kind):<45} {count:>4}")
        write("\nSkills per domain")
        per_domain = Counter(skill.domain_id for skill in skills)
        for domain in Domain.objects.order_by("order"):
            write(f"{domain.name:<14} {domain.discipline:<3} {per_domain[domain.pk]:>4} skills")
        write(f"{'Total':<18} {len(skills):>4} skills")
        write("\nSkills per window kind")
        per_kind = Counter(skill.window_kind for skill in skills)
        for kind in sorted(per_kind, key=kind_rank):
            write(f"{kind_label(kind):<45} {per_kind[kind]:>4}")
        untimed = [skill for skill in skills if not skill.has_window]
        write(f"\nSkills with no age norm (tracked, never late): {len(untimed)}")
        for skill in untimed:
            write(f"  {skill.slug:<44} {skill.source or 'NO SOURCE'}")

    @staticmethod
    def _markdown(table, total: int) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| Source | Citation | Window kind | Skills |", "|---|---|---|---:|"]
        for source, kinds in table:
            name = cell(source.short_name) if source else "**No source**"
            citation = cell(source.citation) + (f" <{source.url}>" if source and source.url else "") if source else ""
            if not kinds:
                lines.append(f"| {name} | {citation} | (no catalogue skills) | 0 |")
            for i, (kind, count) in enumerate(kinds):
                first = i == 0
                lines.append(
                    f"| {name if first else ''} | {citation if first else ''} | {kind_label(kind)} | {count} |"
                )
        lines.append(f"| **All sources** | | | **{total}** |")
        return "\n".join(lines)
