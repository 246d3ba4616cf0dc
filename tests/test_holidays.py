from datetime import date

from bot.domain.holidays import easter_sunday, is_public_holiday, public_holidays


def test_easter_dates() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)


def test_lower_saxony_keeps_reformation_day_hesse_corpus_christi() -> None:
    assert is_public_holiday("NI", date(2026, 10, 31))
    assert not is_public_holiday("HE", date(2026, 10, 31))
    assert is_public_holiday("HE", date(2026, 6, 4))
    assert not is_public_holiday("NI", date(2026, 6, 4))


def test_a_year_has_the_right_number_of_holidays() -> None:
    assert len(public_holidays("NI", 2026)) == 10
    assert len(public_holidays("HE", 2026)) == 10
    assert public_holidays("NI", 2026)[date(2026, 5, 14)] == "Christi Himmelfahrt"
