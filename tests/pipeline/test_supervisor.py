"""The supervisor: failing parts back off and restart, the others go on, stop is clean."""

import threading
import time

import pytest

from outagewatch.pipeline import Part, StepFailed, Supervisor


def test_a_part_that_keeps_failing_never_stops_the_others():
    done = []

    def good(_stop: threading.Event) -> None:
        done.append(1)

    def bad(_stop: threading.Event) -> None:
        raise StepFailed("source down")

    parts = [Part("good", good, interval=0.01), Part("bad", bad, interval=0.01, max_backoff=0.05)]
    supervisor = Supervisor(parts, seed=1).start()
    time.sleep(0.6)
    health = supervisor.health()
    supervisor.stop.set()
    assert supervisor.join(timeout=5)
    assert len(done) >= 10
    assert health["parts"]["bad"]["failures"] >= 3, "a failing part is retried again and again"
    assert health["parts"]["bad"]["alive"]
    assert health["parts"]["good"]["consecutive_failures"] == 0
    assert health["status"] == "degraded"
    assert health["failing"] == ["bad"]
    assert supervisor.health()["status"] == "stopping"


def test_backoff_doubles_and_is_capped():
    import random

    part = Part("p", lambda _s: None, interval=2.0, max_backoff=30.0)
    rng = random.Random(0)
    waits = []
    for n in range(1, 8):
        part.consecutive_failures = n
        waits.append(part.backoff(rng))
    assert 1.0 <= waits[0] <= 2.0
    assert 4.0 <= waits[2] <= 8.0
    assert all(w <= 30.0 for w in waits)
    assert waits[-1] >= 15.0


def test_stop_lets_the_current_unit_finish():
    finished = []
    started = threading.Event()

    def slow(stop: threading.Event) -> None:
        started.set()
        time.sleep(0.3)  # a unit of work (one transaction) in progress when the stop comes
        finished.append(stop.is_set())

    supervisor = Supervisor([Part("slow", slow, interval=10)]).start()
    assert started.wait(5)
    supervisor.stop.set()
    assert supervisor.join(timeout=5)
    assert finished == [True]


@pytest.mark.parametrize("exc", [RuntimeError("boom"), ValueError("bad row")])
def test_unexpected_errors_are_recorded(exc):
    calls = []

    def step(_stop: threading.Event) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise exc

    part = Part("p", step, interval=0.01, max_backoff=0.02)
    supervisor = Supervisor([part]).start()
    time.sleep(0.3)
    supervisor.stop.set()
    supervisor.join(timeout=5)
    health = part.health()
    assert health["failures"] == 1
    assert type(exc).__name__ in health["last_error"]
    assert health["consecutive_failures"] == 0, "a success after a failure resets the count"
