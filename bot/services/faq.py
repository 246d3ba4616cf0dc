"""Short answers to the common questions, one per intent, as English msgids."""

from __future__ import annotations

from bot.i18n.marker import N_

NOT_LEGAL_ADVICE = N_("This is general information, not legal advice.")

ANSWERS: dict[str, str] = {
    "ask_cost": N_(
        "The first advice is free: at the district's Wirtschaftsförderung (business "
        "support office), the IHK (Industrie- und Handelskammer: chamber of commerce) and "
        "the Handwerkskammer (chamber of crafts). Next step: book an appointment with an advisor."
    ),
    "ask_residence_permit": N_(
        "You may be self-employed only if your residence permit allows it. Look for the words "
        "„Selbständige Tätigkeit gestattet“ or „Erwerbstätigkeit gestattet“ on the permit or its "
        "extra sheet. If it does not say so, the Ausländerbehörde (immigration office) decides. "
        "With a Duldung or during the asylum procedure, self-employment is usually not allowed. "
        "Next step: the migration counselling or an advisor can check your case with you."
    ),
    "ask_business_registration": N_(
        "Most businesses must be registered at the Gewerbeamt (trade office) of your town: "
        "this is the Gewerbeanmeldung. It costs a small fee, usually 20 to 60 euros. Bring your "
        "passport or ID and your residence permit. Liberal professions (freie Berufe), such as "
        "translators, often register only with the Finanzamt (tax office); the Finanzamt decides. "
        "Next step: an advisor can tell you what applies to your business."
    ),
    "ask_financing": N_(
        "There are several kinds of help: start-up loans of the KfW (the state development "
        "bank), micro-credits, the Gründungszuschuss (start-up grant) of the Agentur für Arbeit "
        "if you receive Arbeitslosengeld, and Einstiegsgeld of the Jobcenter if you receive "
        "Bürgergeld. Apply before you start. Next step: book an appointment; the advisor helps "
        "with the business plan."
    ),
    "ask_recognition": N_(
        "A professional qualification from abroad can be recognised in Germany. The "
        "recognition counselling of the IQ network (Integration durch Qualifizierung) advises "
        "you for free. For many crafts you need a Meister or a recognised equal qualification. "
        "Next step: we can give you the address of the recognition counselling."
    ),
    "ask_taxes": N_(
        "After you start, the Finanzamt (tax office) needs the tax registration form "
        "(„Fragebogen zur steuerlichen Erfassung“). You send it online with ELSTER. Then you get "
        "a tax number. Small businesses can choose the Kleinunternehmer rule and charge no VAT. "
        "Next step: ask your advisor or a tax advisor (Steuerberater)."
    ),
    "ask_insurance": N_(
        "Health insurance is compulsory in Germany, also for self-employed people. Think also "
        "about pension, liability insurance and, for some trades, the Berufsgenossenschaft "
        "(accident insurance). Next step: an advisor helps you find out what you need."
    ),
    "ask_language_support": N_(
        "You can write to me in your language. Some advisors speak other languages. If your "
        "advisor does not speak your language, you can ask for an interpreter or bring a person "
        "you trust. Next step: book an appointment and tell us your language."
    ),
    "ask_location": N_(
        "Advisors meet you in their office, on office days in smaller towns, by phone or by "
        "video. When you book, you choose how and where you want to meet."
    ),
}


def answer_for(intent: str) -> str | None:
    """Return the answer to a question intent, or None."""
    return ANSWERS.get(intent)
