"""The throttling rule as a plain function of (time, outcome) attempts."""

from __future__ import annotations

import datetime as dt

from admin_app.throttle import ACCOUNT, ADDRESS, FAILURE, REFUSED, SUCCESS, locked_until

T0 = dt.datetime(2026, 12, 3, 9, 0)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def failures(*minutes: float) -> list[tuple[dt.datetime, str]]:
    return [(at(m), FAILURE) for m in minutes]


def test_four_failures_do_not_lock_an_account() -> None:
    assert locked_until(failures(0, 1, 2, 3), ACCOUNT, at(4)) is None


def test_the_fifth_failure_within_15_minutes_locks_for_15_minutes_after_it() -> None:
    assert locked_until(failures(0, 3, 6, 9, 12), ACCOUNT, at(13)) == at(27)


def test_the_lock_has_ended_15_minutes_after_the_fifth_failure() -> None:
    assert locked_until(failures(0, 1, 2, 3, 4), ACCOUNT, at(19)) is None


def test_five_failures_spread_over_more_than_15_minutes_do_not_lock() -> None:
    assert locked_until(failures(0, 4, 8, 12, 16), ACCOUNT, at(17)) is None


def test_a_success_starts_the_account_count_afresh() -> None:
    attempts = [*failures(0, 1, 2, 3), (at(4), SUCCESS), *failures(5, 6, 7, 8)]
    assert locked_until(attempts, ACCOUNT, at(9)) is None


def test_a_success_does_not_clear_the_address_count() -> None:
    attempts = [*failures(*(m / 2 for m in range(19))), (at(10), SUCCESS), *failures(11)]
    assert locked_until(attempts, ADDRESS, at(11.5)) == at(26)


def test_attempts_refused_during_a_lock_do_not_prolong_it() -> None:
    attempts = [*failures(0, 1, 2, 3, 4), *((at(m), REFUSED) for m in range(5, 19))]
    assert locked_until(attempts, ACCOUNT, at(18.5)) == at(19)


def test_after_a_lock_the_count_starts_again() -> None:
    # Locked at 4 until 19; one more failure at 20 is one, not six.
    attempts = failures(0, 1, 2, 3, 4, 20)
    assert locked_until(attempts, ACCOUNT, at(21)) is None


def test_an_address_is_locked_at_20_failures_not_19() -> None:
    nineteen = failures(*(m / 2 for m in range(19)))
    assert locked_until(nineteen, ADDRESS, at(10)) is None
    assert locked_until([*nineteen, (at(10), FAILURE)], ADDRESS, at(10)) == at(25)
