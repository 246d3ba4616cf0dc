"""The pre-founding check: questions asked, who is responsible, and the advisor's summary."""

from __future__ import annotations

from bot.app import Lotse
from bot.directory import load_directory
from bot.services.summary import advisor_summary
from tests.chat import Founder
from tests.conftest import ROOT

CRAFT = "Craft (for example hairdresser, baker, electrician)"
UNCLEAR_PERMIT = "My permit does not allow it, or I am not sure"
MEISTER_QUESTION = "you usually need a Meister certificate"
RECOGNISED_QUESTION = "Is this qualification recognised in Germany?"


async def start_check(lotse: Lotse, chat_id: int) -> Founder:
    founder = Founder(lotse, chat_id)
    await founder.start()
    await founder.press("Check my business idea")
    return founder


async def finish(founder: Founder) -> list[str]:
    """Confirm the summary; return the names of the offices on the result card."""
    assert founder.last_question() == "Is everything right?"
    await founder.press("Yes, show who can help")
    texts = [reply.text for reply in founder.last.replies]
    start = texts.index("Thank you! These offices can help you:") + 1
    cards = [t for t in texts[start:] if "\nAddress: " in t]
    return [card.split("\n")[0] for card in cards]


def asked(founder: Founder, question: str) -> bool:
    return any(question in text for text in founder.texts())


def result_text(founder: Founder) -> str:
    return "\n".join(reply.text for reply in founder.last.replies)


async def test_hairdresser_without_meister_whose_permit_needs_checking(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3001)
    await founder.answer(
        "Ein Friseursalon in der Innenstadt", CRAFT, "Friseurin", "No", "Cloppenburg",
        "I am planning", "Full-time", UNCLEAR_PERMIT, "Yes", "No", "No",
        "Less than 25,000 €", "A little", "Deutsch", "At the office",
    )
    assert asked(founder, MEISTER_QUESTION) and asked(founder, RECOGNISED_QUESTION)
    offices = await finish(founder)
    assert offices[:2] == ["Wirtschaftsförderung des Landkreises Cloppenburg",
                           "Handwerkskammer Oldenburg"]
    assert "Ausländerbehörde des Landkreises Cloppenburg" in offices
    assert any("MBE" in office or "Migrationsberatung" in office for office in offices)
    assert any("IQ" in office or "Anerkennung" in office for office in offices)
    text = result_text(founder)
    assert "Ausnahmebewilligung" in text
    assert "Your residence permit (Aufenthaltstitel)" in text


async def test_it_freelancer_with_recognised_degree(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3002)
    await founder.answer(
        "Freelance software development for small firms",
        "Liberal profession (for example translator, artist, doctor)", "Eschwege",
        "I have already started", "Full-time", "My permit allows self-employment",
        "Yes", "Yes", "No", "I need no loan", "Well", "English", "By video call",
    )
    assert not asked(founder, MEISTER_QUESTION)
    offices = await finish(founder)
    assert offices[0].startswith("Wirtschaftsförderung") and "Werra-Meißner" in offices[0]
    assert any("Finanzamt" in office for office in offices)
    assert not any("Handwerkskammer" in office or "IHK" in office for office in offices)
    assert not any("IQ" in office for office in offices)


async def test_takeover_of_a_bakery(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3003)
    await founder.answer(
        "Taking over the bakery of my boss", CRAFT, "Bäckerei", "Yes", "Holzminden",
        "I want to take over a business", "Full-time", "German or EU citizen", "No", "No",
        "25,000 € or more", "Very well", "Deutsch", "At the office",
    )
    assert asked(founder, MEISTER_QUESTION)
    offices = await finish(founder)
    assert "Handwerkskammer Hildesheim-Südniedersachsen" in offices
    assert "Unternehmensnachfolge" in result_text(founder)
    assert "Ausnahmebewilligung" not in result_text(founder)


async def test_side_business_while_on_buergergeld(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3004)
    await founder.answer(
        "Cleaning service for holiday flats", "Services", "Bevern", "I have an idea",
        "On the side", "German or EU citizen", "No", "Bürgergeld (Jobcenter)",
        "Less than 25,000 €", "Well", "Deutsch", "By phone",
    )
    offices = await finish(founder)
    assert any("Jobcenter" in office for office in offices)
    assert any("IHK Hannover" in office or "Industrie- und Handelskammer Hannover" in office
               for office in offices)
    assert "Einstiegsgeld" in result_text(founder)


async def test_town_outside_the_districts(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3005)
    await founder.answer("A food truck", "Restaurant, café or catering", "Hamburg")
    assert founder.last_question() == "I do not know this place. Is it in one of these districts?"
    await founder.answer(
        "Somewhere else", "I have an idea", "Full-time", "German or EU citizen", "No", "No",
        "Less than 25,000 €", "Well", "Deutsch", "Any of these",
    )
    offices = await finish(founder)
    assert "Your town is not in one of our districts" in result_text(founder)
    assert offices[0] == "Wirtschaftsförderung des Landkreises Cloppenburg"


async def test_i_dont_know_everywhere(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3006)
    dont_know = "I don't know"
    await founder.answer(
        dont_know, dont_know, dont_know, dont_know, dont_know, dont_know,
        "I prefer not to say", dont_know, dont_know, dont_know, "A little", "Deutsch",
        "Any of these",
    )
    summary = founder.texts()[-2]
    assert summary.startswith("Your answers:")
    assert summary.count("I don't know") == 9
    offices = await finish(founder)
    assert offices and offices[0].startswith("Wirtschaftsförderung")
    assert "You did not name your town" in result_text(founder)


async def test_stopping_halfway_continues_later_and_answers_can_be_changed(lotse: Lotse) -> None:
    founder = await start_check(lotse, 3007)
    await founder.answer("Mobile bicycle repair", "Services", "Witzenhausen")
    await founder.send("/cancel")
    await founder.press("Check my business idea")
    assert "Welcome back! Let us go on where you stopped." in founder.texts()
    assert founder.last_question() == "How far along are you?"
    await founder.answer(
        "I have an idea", "On the side", "German or EU citizen", "No", "No",
        "I need no loan", "Very well", "Deutsch", "By phone",
    )
    await founder.press("Change an answer")
    await founder.press("Full-time or on the side")
    await founder.press("Full-time")
    summary = founder.texts()[-2]
    assert "• Full-time or on the side: Full-time" in summary
    assert "• Town: „Witzenhausen“" in summary


def test_german_summary_for_an_arabic_speaking_founder(lotse: Lotse) -> None:
    answers = {
        "business_idea": "مطعم سوري صغير", "business_kind": "gastronomy", "town_text": "Löningen",
        "town": "loeningen", "district": "cloppenburg", "stage": "planning",
        "residence": "permit_unclear", "support": "buergergeld", "german_level": "basic",
        "advice_language": "ar", "meeting_mode": "office_day", "needs_meister": False,
    }
    summary = advisor_summary(answers, "ar", lotse.turns.engine.book, lotse.translations,
                              load_directory(ROOT / "directory"))
    assert "Geschäftsidee: „مطعم سوري صغير“ (auf Arabisch geschrieben)" in summary
    assert "Art des Unternehmens: Restaurant, Café oder Catering" in summary
    assert "Sprache der Beratung: Arabisch" in summary
    assert "Landkreis: Landkreis Cloppenburg" in summary


def test_german_summary_for_a_turkish_speaking_founder(lotse: Lotse) -> None:
    answers = {
        "business_idea": "Kuaför salonu açmak istiyorum", "business_kind": "craft",
        "craft_trade": "kuaför", "has_meister": "no", "needs_meister": True,
        "town_text": "Holzminden", "town": "holzminden", "district": "holzminden",
        "work_scope": "side", "advice_language": "tr",
    }
    summary = advisor_summary(answers, "tr", lotse.turns.engine.book, lotse.translations,
                              load_directory(ROOT / "directory"))
    assert "„Kuaför salonu açmak istiyorum“ (auf Türkisch geschrieben)" in summary
    assert "Sprache der Beratung: Türkisch" in summary
    assert "Meister" in summary


async def test_the_advisor_gets_the_german_summary_with_the_booking(lotse: Lotse) -> None:
    from sqlalchemy import select

    from bot.storage.models import Booking

    founder = await start_check(lotse, 3008)
    await founder.answer(
        "Ein kleines Café mit Kuchen", "Restaurant, café or catering", "Löningen", "I am planning",
        "Full-time", "German or EU citizen", "No", "No", "Less than 25,000 €", "Well", "Deutsch",
        "At the office",
    )
    await finish(founder)
    await founder.press("Book an appointment")
    await founder.press(founder.buttons()[0].label)
    await founder.press("Book it")
    async with lotse.database.transaction() as session:
        booking = await session.scalar(select(Booking))
    assert booking is not None and booking.status == "booked"
    summary = booking.summary_de or ""
    german = lotse.translations
    assert summary.startswith(german.gettext("de", "Pre-founding check: the founder's answers"))
    assert "„Ein kleines Café mit Kuchen“" in summary
    assert german.gettext("de", "Restaurant, café or catering") in summary
