"""The bot's small HTTP server: health, the Telegram webhook, calendar feeds."""

from __future__ import annotations

from aiohttp import web


async def health(request: web.Request) -> web.Response:
    """Answer that the bot is up."""
    return web.json_response({"status": "ok"})


def make_app() -> web.Application:
    """Return the HTTP application; channels add their routes."""
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/health", health)
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving; the caller cleans up the returned runner."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
