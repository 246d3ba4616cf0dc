# The Lotse bot process (Python 3.11). The NLU server runs from the official Rasa image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .

COPY flows ./flows
COPY directory ./directory
COPY locales ./locales
COPY babel.cfg ./
RUN for po in locales/*/LC_MESSAGES/messages.po; do \
        pybabel compile -i "$po" -o "${po%.po}.mo"; \
    done

RUN useradd --create-home --uid 1000 lotse && mkdir -p /app/var && chown lotse /app/var
USER lotse
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health')"
CMD ["python", "-m", "bot", "run"]
