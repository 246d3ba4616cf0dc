"""The fake Telegram Bot API server, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from tests.faketelegram import FakeTelegram, FakeTelegramRemote

TOKEN = "123456:TEST"
ROOT = Path(__file__).resolve().parents[1]


def bot_for(fake: FakeTelegram | FakeTelegramRemote) -> telegram.Bot:
    return telegram.Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with bot_for(fake) as client:
        yield client


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(x, callback_data=x.lower())] for x in labels]
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message and update.effective_user
    text = update.effective_message.text or ""
    language = update.effective_user.language_code
    await update.effective_message.reply_text(
        f"{language}: {text}", reply_markup=keyboard("Yes", "No")
    )


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query and query.message and query.chat_instance
    await query.answer("noted")
    await query.edit_message_text(f"you said {query.data}")


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        Application.builder().token(TOKEN).base_url(fake.base_url)
        .base_file_url(fake.base_file_url).build()
    )  # fmt: skip
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(on_press))
    async with application:
        await application.start()
        assert application.updater
        await application.updater.start_polling(poll_interval=0, timeout=2)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_get_me_returns_a_spec_valid_user(fake: FakeTelegram, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123456 and me.username
    assert fake.spec.violations(me.to_dict(), ("User",), "me") == []
    assert fake.errors == []


async def test_echo_application_with_long_polling(fake: FakeTelegram, app: Application) -> None:  # type: ignore[type-arg]
    amira = fake.user(7, language_code="ar", first_name="Amira")
    await amira.send("/start")
    messages = await amira.wait_for(1)
    assert messages[-1].text == "ar: /start"
    assert messages[-1].buttons == [["Yes"], ["No"]]
    assert fake.calls[0][0] == "getMe"
    assert [name for name, _ in fake.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_many_users_at_once(fake: FakeTelegram, app: Application) -> None:  # type: ignore[type-arg]
    users = [
        fake.user(100 + i, language_code=lang) for i, lang in enumerate(["de", "tr", "uk", "fa"])
    ]
    await asyncio.gather(*(u.send(f"hallo {u.id}") for u in users))
    await asyncio.gather(*(u.wait_for(1) for u in users))
    assert [u.last_text() for u in users] == [
        "de: hallo 100", "tr: hallo 101", "uk: hallo 102", "fa: hallo 103"
    ]  # fmt: skip
    assert all(u.messages()[0].message_id == 2 for u in users)


async def test_press_answers_callback_and_edits(fake: FakeTelegram, app: Application) -> None:  # type: ignore[type-arg]
    user = fake.user(8)
    await user.send("hi")
    await user.wait_for(1)
    await user.press("Yes")
    await user.wait_for(1)
    assert [m.text for m in user.messages()] == ["you said yes"]
    assert user.messages()[0].buttons == []
    assert user.answered_callbacks[0].text == "noted"
    assert user.answered_callbacks[0].data == "yes"
    with pytest.raises(AssertionError, match="the bot sent no keyboard"):
        await user.press("No")


async def test_press_unknown_label_is_a_clear_error(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(9)
    await bot.send_message(user.id, "Choose", reply_markup=keyboard("Yes"))
    with pytest.raises(AssertionError, match=r"no button 'Maybe'.*\[\['Yes'\]\]"):
        await user.press("Maybe")


async def test_forged_callback_data_and_double_answer(
    fake: FakeTelegram, bot: telegram.Bot
) -> None:
    user = fake.user(10)
    await bot.send_message(user.id, "Choose", reply_markup=keyboard("Yes"))
    await user.press_data("booking:999")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query and query.data == "booking:999" and query.message and query.chat_instance
    assert await bot.answer_callback_query(query.id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_reply_keyboard_press_sends_the_label(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(11)
    markup = ReplyKeyboardMarkup([["Deutsch", "English"]], one_time_keyboard=True)
    await bot.send_message(user.id, "Language?", reply_markup=markup)
    assert user.messages()[0].buttons == [["Deutsch", "English"]]
    await user.press("English")
    (update,) = await bot.get_updates()
    assert update.message and update.message.text == "English"


async def test_edit_errors(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(12)
    sent = await bot.send_message(user.id, "Choose", reply_markup=keyboard("Yes"))
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Choose", user.id, sent.message_id, reply_markup=keyboard("Yes")
        )
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("Yes"))
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", user.id, 999)
    edited = await bot.edit_message_reply_markup(
        user.id, sent.message_id, reply_markup=keyboard("No")
    )
    assert isinstance(edited, telegram.Message) and edited.edit_date
    assert user.messages()[0].buttons == [["No"]]
    await bot.delete_message(user.id, sent.message_id)
    assert user.messages() == []
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)


async def test_unknown_method_and_bad_parameters(fake: FakeTelegram) -> None:
    base = f"{fake.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/sendTelepathy", json={}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.post(f"{base}/sendMessage", data={"chat_id": "1"}) as response:
            body = await response.json()
            assert response.status == 400
            assert body["description"] == 'Bad Request: parameter "text" is required'
        async with http.post(f"{base}/deleteMessage", json={"chat_id": 1, "message_id": "x"}) as r:
            assert r.status == 400
            assert (await r.json())["description"].startswith('Bad Request: parameter "message_id"')
        async with http.post(f"{fake.base_url}1:WRONG/getMe") as response:
            assert response.status == 401


async def test_json_body_with_nested_markup(fake: FakeTelegram) -> None:
    user = fake.user(13)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}{TOKEN}/sendMessage"
        async with http.post(url, json={"chat_id": 13, "text": "x", "reply_markup": markup}) as r:
            assert (await r.json())["result"]["reply_markup"] == markup
    assert user.messages()[0].buttons == [["Go"]]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_missing_parameter_through_ptb(bot: telegram.Bot) -> None:
    with pytest.raises(telegram.error.BadRequest, match="text"):
        await bot.do_api_request("sendMessage", {"chat_id": 1})
    with pytest.raises(telegram.error.EndPointNotFound):
        await bot.do_api_request("sendTelepathy")


async def test_bad_markup_is_rejected(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(14)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.id, "<b>Termin</i> am 3. Mai", parse_mode=ParseMode.HTML)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.id, "a < b", parse_mode=ParseMode.HTML)
    with pytest.raises(telegram.error.BadRequest, match="reserved"):
        await bot.send_message(user.id, "Danke.", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await bot.send_message(user.id, "<b>Café</b> &amp; 😀 <i>ok</i>", parse_mode="HTML")
    assert sent.text == "Café & 😀 ok"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("italic", 10, 2),
    ]


async def test_per_chat_flood_limit() -> None:
    async with FakeTelegram(token=TOKEN, per_chat_per_second=1, per_chat_burst=3) as fake:
        user = fake.user(15)
        async with bot_for(fake) as bot:
            for i in range(3):
                await bot.send_message(user.id, f"{i}")
            with pytest.raises(telegram.error.RetryAfter) as caught:
                await bot.send_message(user.id, "one too many")
            assert "Retry in 1 seconds" in str(caught.value)
            await bot.send_message(fake.user(16).id, "another chat is fine")
        assert fake.stats.too_many_requests == 1
        assert len(fake.stats.deliveries[user.id]) == 3


async def test_global_flood_limit() -> None:
    async with FakeTelegram(token=TOKEN, global_per_second=5, per_chat_per_second=None) as fake:
        async with bot_for(fake) as bot:
            for i in range(5):
                await bot.send_message(fake.user(20 + i).id, "hi")
            with pytest.raises(telegram.error.RetryAfter):
                await bot.send_message(fake.user(30).id, "hi")
        assert fake.stats.too_many_requests == 1


async def test_blocked_user_and_unknown_chat(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(17)
    user.block()
    with pytest.raises(telegram.error.Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(user.id, "Erinnerung")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")


async def test_send_document_keeps_the_file(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(18)
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    sent = await bot.send_document(user.id, ics, filename="termin.ics", caption="Ihr Termin")
    assert sent.document and sent.document.file_name == "termin.ics"
    (document,) = user.documents()
    assert (document.filename, document.content, document.caption) == (
        "termin.ics",
        ics,
        "Ihr Termin",
    )
    assert document.mime_type == "text/calendar"
    assert "multipart/form-data" in fake.content_types
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == ics


async def test_get_updates_offset_and_long_polling(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(19)
    await user.send("one")
    await user.send("two")
    first = await bot.get_updates(limit=1)
    assert [u.message.text for u in first if u.message] == ["one"]
    second = await bot.get_updates(offset=first[0].update_id + 1)
    assert [u.message.text for u in second if u.message] == ["two"]
    assert second[0].update_id > first[0].update_id
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=second[0].update_id + 1, timeout=5))
    await asyncio.sleep(0.2)
    await user.send("three")
    (third,) = await poll
    assert third.message and third.message.text == "three"
    assert third.message.message_id == 3
    assert time.monotonic() - started < 2


async def test_user_content_senders(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(21, language_code="tr", first_name="Emre")
    other = fake.user(22, first_name="Lena")
    group = fake.group(-1001, "Gründerstammtisch")
    channel = fake.channel(-1002, "Wirtschaftsförderung", username="wifoe")
    await user.send_sticker("🎉")
    await user.send_photo(b"jpeg", caption="Laden")
    await user.send_voice(b"ogg", duration=4)
    await user.send_document("plan.pdf", b"%PDF", "application/pdf", caption="Plan")
    await user.send_location(51.5, 9.9)
    await user.send("tippfehler")
    await user.edit("Tippfehler")
    await user.send("/help@lotse_test_bot", chat=group)
    await channel.post("Sprechtag am Montag")
    await user.forward("Förderung!", origin=other.id)
    await user.forward("geheim", origin="Anonym")
    updates = await bot.get_updates()
    messages = [u.effective_message for u in updates]
    assert messages[0] and messages[0].sticker and messages[0].sticker.emoji == "🎉"
    assert messages[1] and messages[1].photo and messages[1].caption == "Laden"
    assert messages[2] and messages[2].voice and messages[2].voice.duration == 4
    assert messages[3] and messages[3].document and messages[3].document.file_name == "plan.pdf"
    assert messages[4] and messages[4].location and messages[4].location.latitude == 51.5
    assert updates[6].edited_message and updates[6].edited_message.text == "Tippfehler"
    assert updates[7].message and updates[7].message.chat.type == "supergroup"
    assert updates[7].message.entities[0].type == "bot_command"
    assert updates[8].channel_post and updates[8].channel_post.sender_chat
    assert messages[9] and isinstance(messages[9].forward_origin, telegram.MessageOriginUser)
    assert messages[10] and isinstance(
        messages[10].forward_origin, telegram.MessageOriginHiddenUser
    )
    photo = await bot.get_file(messages[1].photo[-1].file_id)
    assert bytes(await photo.download_as_bytearray()) == b"jpeg"
    await bot.send_message(group.chat_id, "Willkommen")
    assert group.last_text() == "Willkommen"
    assert fake.errors == []


async def test_commands_per_scope_and_language(bot: telegram.Bot) -> None:
    await bot.set_my_commands([("start", "Start")])
    await bot.set_my_commands([("start", "Başla")], language_code="tr")
    await bot.set_my_commands([("termine", "Termine")], scope=telegram.BotCommandScopeChat(5))
    assert [c.description for c in await bot.get_my_commands()] == ["Start"]
    assert [c.description for c in await bot.get_my_commands(language_code="tr")] == ["Başla"]
    scoped = await bot.get_my_commands(scope=telegram.BotCommandScopeChat(5))
    assert [c.command for c in scoped] == ["termine"]
    with pytest.raises(telegram.error.BadRequest):
        await bot.set_my_commands([("Start!", "x")])


async def test_chat_action(fake: FakeTelegram, bot: telegram.Bot) -> None:
    user = fake.user(23)
    assert await bot.send_chat_action(user.id, "typing")
    assert user.chat_actions() == ["typing"]
    with pytest.raises(telegram.error.BadRequest):
        await bot.send_chat_action(user.id, "dancing")


async def test_spec_violation_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="first_name: required field of User missing"):
        async with FakeTelegram(token=TOKEN) as fake:
            del fake.world.bot_user["first_name"]
            async with aiohttp.ClientSession() as http:
                await http.post(f"{fake.base_url}{TOKEN}/getMe")
            assert fake.errors


async def test_wait_for_times_out_clearly(fake: FakeTelegram) -> None:
    user = fake.user(24)
    with pytest.raises(AssertionError, match="timed out"):
        await user.wait_for(1, timeout=0.1)


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[tuple[str, list[tuple[int, str | None]]]]:
    received: list[tuple[int, str | None]] = []

    async def receive(request: web.Request) -> web.Response:
        update = await request.json()
        received.append(
            (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=500 if len(received) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", received
    await runner.cleanup()


async def test_webhook_delivery_with_secret_and_redelivery(
    webhook_receiver: tuple[str, list[tuple[int, str | None]]],
) -> None:
    url, received = webhook_receiver
    async with FakeTelegram(token=TOKEN, webhook_retry_delay=0.05) as fake:
        async with bot_for(fake) as bot:
            assert await bot.set_webhook(url, secret_token="s3cret")
            with pytest.raises(telegram.error.Conflict):
                await bot.get_updates()
            user = fake.user(25)
            await user.send("hallo")
            for _ in range(100):
                if len(received) >= 2:
                    break
                await asyncio.sleep(0.02)
            assert received == [(1, "s3cret"), (1, "s3cret")]
            info = await bot.get_webhook_info()
            assert info.url == url and info.pending_update_count == 0
            assert info.last_error_message and "500" in info.last_error_message
            await bot.delete_webhook()
            assert await bot.get_updates() == ()
        assert [d.status for d in fake.webhook_deliveries] == [500, 200]


async def test_remote_fake_in_a_subprocess() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faketelegram", "--port", "0",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout
        line = (await process.stdout.readline()).decode()
        remote = FakeTelegramRemote(line.rsplit(" ", 1)[-1].strip())
        user = remote.user(26, language_code="uk", first_name="Olena")
        async with bot_for(remote) as bot:
            await user.send("/start")
            (update,) = await bot.get_updates()
            assert update.message and update.message.from_user
            assert update.message.from_user.language_code == "uk"
            await bot.send_message(user.id, "Hallo", reply_markup=keyboard("Termin"))
            messages = await user.wait_for(lambda ms: ms[-1].text == "Hallo")
            assert messages[-1].buttons == [["Termin"]]
            await user.press("Termin")
            updates = await bot.get_updates(offset=update.update_id + 1)
            query = updates[0].callback_query
            assert query and query.data == "termin"
            await bot.answer_callback_query(query.id, text="ok")
            assert [a.text for a in user.answered_callbacks] == ["ok"]
            await bot.send_document(user.id, b"ics", filename="t.ics")
            assert user.documents()[0].content == b"ics"
            with pytest.raises(AssertionError, match="no button"):
                await user.press("Absagen")
        assert remote.errors == []
    finally:
        process.terminate()
        await process.wait()
