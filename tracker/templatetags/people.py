"""How a person is named on a child's pages: their name and the voice they wrote in, said once."""

from django import template

register = template.Library()


@register.filter
def with_voice(name: str, voice: str) -> str:
    """'Olivia Hand' + 'OT' -> 'Olivia Hand (OT)'; a name that already ends with '(OT)' is left as it is.

    People often put their discipline in their own name (the demo OT did); it is shown once.
    """
    name = name or "a former member"
    if not voice or name.casefold().endswith(f"({voice})".casefold()):
        return name
    return f"{name} ({voice})"
