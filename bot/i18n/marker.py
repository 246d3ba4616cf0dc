"""Mark texts for translation where they are defined; translate where they are shown."""


def N_(message: str) -> str:
    """Return the text unchanged; `pybabel extract` collects it."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Return a counted text's two English forms unchanged; extracted as a plural entry."""
    return singular, plural
