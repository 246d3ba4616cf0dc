from bot.services.flood import FloodGuard


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_gets_about_one_answer_per_second_and_others_are_not_affected() -> None:
    ticks = Ticks()
    guard = FloodGuard(rate=1.0, burst=5, clock=ticks)
    answered = 0
    for _ in range(100):  # 100 messages in 3 seconds
        ticks.now += 0.03
        answered += guard.allow(1)
    assert answered == 5 + 2  # the burst, then one per second
    assert guard.allow(2)


def test_a_quiet_chat_gets_its_burst_back() -> None:
    ticks = Ticks()
    guard = FloodGuard(rate=1.0, burst=3, clock=ticks)
    assert [guard.allow(1) for _ in range(4)] == [True, True, True, False]
    ticks.now += 3
    assert [guard.allow(1) for _ in range(4)] == [True, True, True, False]
