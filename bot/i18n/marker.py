"""Mark texts for translation where they are defined; translate where they are shown."""


def N_(message: str) -> str:
    """Return the text unchanged; `pybabel extract` collects it."""
    return message
