"""The GAS T-score (Kiresuk & Sherman 1968, rho = 0.3), against the reference's worked examples."""

import math

import pytest

from tracker.gas import t_score


def test_every_goal_at_the_expected_outcome_is_50():
    assert t_score([0, 0, 0, 0]) == 50


def test_two_goals_at_plus_one_is_62_40():
    # Σx = 2, sqrt(0.7·2 + 0.3·4) = sqrt(2.6) = 1.6125 → 62.40 (reference/README.md §7).
    assert round(t_score([1, 1]), 2) == 62.40


def test_three_goals_at_minus_two_zero_plus_one_is_45_44():
    # Σx = −1, sqrt(0.7·3 + 0.3·9) = sqrt(4.8) = 2.1909 → 45.44.
    assert round(t_score([-2, 0, 1]), 2) == 45.44


def test_one_goal_moves_ten_points_per_level():
    # n = 1: the denominator is sqrt(0.7 + 0.3) = 1.
    assert t_score([-2]) == 30
    assert t_score([2]) == 70


def test_weighted_goals_by_hand():
    # Weights 1, 2, 3 at levels +1, 0, −1: Σwx = 1 + 0 − 3 = −2; Σw² = 14, (Σw)² = 36;
    # sqrt(0.7·14 + 0.3·36) = sqrt(20.6) = 4.5387 → T = 50 − 20/4.5387 = 45.59.
    assert round(t_score([1, 0, -1], [1, 2, 3]), 2) == 45.59


def test_equal_weights_give_the_unweighted_score():
    assert math.isclose(t_score([-1, 2, 0], [3, 3, 3]), t_score([-1, 2, 0]))


def test_rho_zero_is_the_plain_standardised_sum():
    # rho = 0: T = 50 + 10·Σx / sqrt(n).
    assert math.isclose(t_score([1, 1, 1, 1], rho=0), 70)


def test_no_goals_has_no_score():
    assert t_score([]) is None


@pytest.mark.parametrize("levels", [[3], [-3], [1, 0.5]])
def test_a_level_outside_minus_two_to_plus_two_is_refused(levels):
    with pytest.raises(ValueError, match="GAS level"):
        t_score(levels)


def test_one_weight_per_goal_is_required():
    with pytest.raises(ValueError, match="one weight per goal"):
        t_score([1, 0], [1])


def test_a_weight_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        t_score([1, 0], [1, 0])
