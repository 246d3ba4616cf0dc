"""The pre-founding check: the actions of flows/precheck.yml and the founder's result card."""

from __future__ import annotations

from typing import Any

from bot.directory import Directory
from bot.domain.engine import RESUMING, UNKNOWN
from bot.domain.flows import Flow, Step
from bot.domain.replies import Reply
from bot.domain.routing import Referral, RoutingRules, checklist, route
from bot.domain.trades import Trade, needs_meister
from bot.i18n.marker import N_, Nn_
from bot.services.answer_labels import SOMEWHERE_ELSE, answer_label
from bot.services.faq import NOT_LEGAL_ADVICE
from bot.services.presenter import Presenter
from bot.services.turn import Handlers, Turn

PRECHECK = "precheck"
ANSWERS = "precheck_answers"
DONE = "precheck_done"
ELSEWHERE = "elsewhere"
# Answers that only make sense with another one: changing the town asks these again.
DEPENDENT_SLOTS = {"town_text": ("town_choice", "district_choice")}
# Where the place answers lead, kept with the answers for routing and the advisor.
PLACE_SLOTS = ("town", "district", "outside_districts")

FOUND = Nn_("I found {count} place for „{typed}“.", "I found {count} places for „{typed}“.")
WELCOME_BACK = N_("Welcome back! Let us go on where you stopped.")
YOUR_ANSWERS = N_("Your answers:")
WHO_CAN_HELP = N_("Thank you! These offices can help you:")
PLACE_UNKNOWN = N_(
    "You did not name your town. Here is the advice we know in {district}. Please ask them "
    "which office is responsible for you."
)
OUTSIDE = N_(
    "Your town is not in one of our districts. Here is the nearest advice we know, in {district}. "
    "Please ask them which office is responsible for your town."
)
BRING = N_("Please bring to the first talk:")
NEXT_STEP = N_("Next step: book a free appointment with an advisor.")
ADDRESS = N_("Address: {address}")
PHONE = N_("Phone: {phone}")
EMAIL = N_("E-mail: {email}")
WEBSITE = N_("Website: {website}")


class Precheck:
    """Runs the questionnaire's actions with the district directory and routing rules."""

    def __init__(self, directory: Directory, rules: RoutingRules, trades: tuple[Trade, ...]
                 ) -> None:
        self.directory = directory
        self.rules = rules
        self.trades = trades

    def register(self, handlers: Handlers) -> None:
        """Offer the questionnaire's actions to the flows."""
        handlers.actions.update(
            resume_precheck=self.resume, check_meister=self.check_meister,
            find_town=self.find_town, set_town=self.set_town, set_district=self.set_district,
            show_summary=self.show_summary, offer_changes=self.offer_changes,
            change_answer=self.change_answer, show_referrals=self.show_referrals,
        )

    async def resume(self, turn: Turn) -> list[Reply]:
        """Pass over the questions answered before, if the founder has started already."""
        flow = turn.engine.book.flows[PRECHECK]
        slots = turn.conversation.slots
        if not any(_asked_slot(step) in slots for step in flow.steps.values()):
            return []
        slots[RESUMING] = True
        return [Reply(turn.presenter.text(WELCOME_BACK))]

    async def check_meister(self, turn: Turn) -> list[Reply]:
        """Find out whether the craft needs a Meister (Anlage A of the Handwerksordnung)."""
        slots = turn.conversation.slots
        trade = needs_meister(str(slots.get("craft_trade", "")), self.trades)
        slots["needs_meister"] = trade is not None
        return []

    async def find_town(self, turn: Turn) -> list[Reply]:
        """Look the typed town up in the directory: one match, several, or none."""
        slots = turn.conversation.slots
        text = str(slots.get("town_text", ""))
        towns = () if text == UNKNOWN else self.directory.find_towns(text)
        if len(towns) == 1:
            self._place(slots, towns[0].id)
            slots["town_matches"] = "one"
        elif towns:
            found = turn.presenter.plural(FOUND, len(towns), {"typed": text})
            slots["town_matches"] = "many"
            slots["town_options"] = [
                {"value": town.id, "label": f"{town.name} ({', '.join(town.postal_codes[:2])})"}
                for town in towns[:8]
            ]
            return [Reply(found)]
        else:
            slots["town_matches"] = "none"
            slots["district_options"] = [
                *({"value": d.id, "label": d.name} for d in self.directory.districts),
                {"value": ELSEWHERE, "label": turn.presenter.text(SOMEWHERE_ELSE)},
            ]
        return []

    async def set_town(self, turn: Turn) -> list[Reply]:
        """Take the town the founder picked."""
        self._place(turn.conversation.slots, str(turn.conversation.slots["town_choice"]))
        return []

    async def set_district(self, turn: Turn) -> list[Reply]:
        """Take the district the founder picked, or note that the town is elsewhere."""
        slots = turn.conversation.slots
        choice = slots.get("district_choice")
        slots.pop("town", None)
        known = choice not in (ELSEWHERE, UNKNOWN)
        slots["district"] = choice if known else None
        slots["outside_districts"] = choice == ELSEWHERE
        return []

    async def show_summary(self, turn: Turn) -> list[Reply]:
        """Show every answer of this check in the founder's language."""
        turn.conversation.slots.pop(RESUMING, None)
        presenter = turn.presenter
        lines = [presenter.text(YOUR_ANSWERS)]
        for step, value in self.answered(turn):
            assert step.question is not None and step.question.topic is not None
            label = answer_label(step, value, presenter, self.directory)
            lines.append(f"• {presenter.text(step.question.topic)}: {label}")
        return [Reply("\n".join(lines))]

    async def offer_changes(self, turn: Turn) -> list[Reply]:
        """Offer every answered question as a button."""
        presenter = turn.presenter
        turn.conversation.slots["change_options"] = [
            {"value": step.id, "label": presenter.text(step.question.topic)}
            for step, _ in self.answered(turn)
            if step.question is not None and step.question.topic is not None
            and not _is_dependent(step.question.slot)
        ]
        return []

    async def change_answer(self, turn: Turn) -> list[Reply]:
        """Ask the chosen question again; then pass over the others up to the summary."""
        conversation = turn.conversation
        step_id = str(conversation.slots.pop("change_step"))
        step = turn.engine.book.step(PRECHECK, step_id)
        slot = _asked_slot(step)
        for name in (slot, *DEPENDENT_SLOTS.get(slot, ())):
            conversation.slots.pop(name, None)
        position = conversation.history.index((PRECHECK, step_id))
        del conversation.history[position:]
        conversation.step = step_id
        conversation.slots[RESUMING] = True
        return []

    async def show_referrals(self, turn: Turn) -> list[Reply]:
        """Show who can help and why, with contact data, what to bring and the next step."""
        answers = self.answers(turn)
        turn.conversation.slots[ANSWERS] = answers
        turn.conversation.slots[DONE] = True
        presenter = turn.presenter
        referrals = route(answers, self.directory, self.rules)
        replies = [Reply(presenter.text(WHO_CAN_HELP))]
        if referrals and referrals[0].outside_district:
            district = self.directory.district(referrals[0].institution.district_id)
            note = PLACE_UNKNOWN if answers.get("district_choice") == UNKNOWN else OUTSIDE
            replies.append(Reply(presenter.text(note, {"district": district.name})))
        replies.extend(Reply(card(referral, presenter)) for referral in referrals)
        items = checklist(answers, self.rules)
        if items:
            bring = [presenter.text(BRING), *(f"• {presenter.text(item)}" for item in items)]
            replies.append(Reply("\n".join(bring)))
        replies.append(Reply(f"{presenter.text(NEXT_STEP)}\n{presenter.text(NOT_LEGAL_ADVICE)}"))
        return replies

    def answered(self, turn: Turn) -> list[tuple[Step, Any]]:
        """Return the questions of this check that were asked, in order, with their answers."""
        flow: Flow = turn.engine.book.flows[PRECHECK]
        slots = turn.conversation.slots
        seen: list[tuple[Step, Any]] = []
        for flow_id, step_id in turn.conversation.history:
            step = flow.steps.get(step_id) if flow_id == PRECHECK else None
            if step is None or step.question is None or step.question.topic is None:
                continue
            if step.question.slot in slots and all(s is not step for s, _ in seen):
                seen.append((step, slots[step.question.slot]))
        return seen

    def answers(self, turn: Turn) -> dict[str, Any]:
        """Return the relevant answers: what was asked on the founder's path, and the place."""
        slots = turn.conversation.slots
        answers = {step.question.slot: value for step, value in self.answered(turn)
                   if step.question is not None}
        answers.update({name: slots[name] for name in PLACE_SLOTS if name in slots})
        answers["needs_meister"] = bool(
            answers.get("business_kind") == "craft" and slots.get("needs_meister")
        )
        return answers

    def _place(self, slots: dict[str, Any], town_id: str) -> None:
        """Remember the founder's town and its district."""
        slots["town"] = town_id
        slots["district"] = self.directory.town(town_id).district_id
        slots["outside_districts"] = False


def card(referral: Referral, presenter: Presenter) -> str:
    """Return one institution's card: name, why, and how to reach it."""
    institution = referral.institution
    lines = [institution.name, *(presenter.text(reason) for reason in referral.reasons)]
    lines.append(presenter.text(ADDRESS, {"address": institution.address}))
    if institution.phone:
        lines.append(presenter.text(PHONE, {"phone": institution.phone}))
    lines.append(presenter.text(EMAIL, {"email": institution.email}))
    lines.append(presenter.text(WEBSITE, {"website": institution.website}))
    return "\n".join(lines)


def _asked_slot(step: Step) -> str:
    """Return the slot a question fills ('' for other steps)."""
    return step.question.slot if step.question is not None else ""


def _is_dependent(slot: str) -> bool:
    """Return whether a slot is only asked because of another answer."""
    return any(slot in dependents for dependents in DEPENDENT_SLOTS.values())

