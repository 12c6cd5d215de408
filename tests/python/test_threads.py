"""One Engine quotes from many Python threads at once, identically to one thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import worked_example_1, worked_example_2, worked_example_3

THREADS = 8
QUOTES_PER_THREAD = 200


def test_concurrent_quotes_are_identical_to_sequential_ones(engine):
    requests = [worked_example_1(), worked_example_2(), worked_example_3()]
    expected = [engine.quote(r).to_dict() for r in requests]

    def work(thread: int):
        out = []
        for n in range(QUOTES_PER_THREAD):
            k = (thread + n) % len(requests)
            out.append((k, engine.quote(requests[k]).to_dict()))
        return out

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    assert sum(len(r) for r in results) == THREADS * QUOTES_PER_THREAD
    for thread_results in results:
        for k, quote in thread_results:
            assert quote == expected[k]


def test_concurrent_quote_json_and_assess(engine):
    import json

    text = json.dumps(worked_example_1())
    expected_quote = engine.quote_json(text)
    expected_assessment = engine.assess(worked_example_1())

    def work(_):
        return [(engine.quote_json(text), engine.assess(worked_example_1())) for _ in range(50)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for chunk in pool.map(work, range(THREADS)):
            for q, a in chunk:
                assert q == expected_quote and a == expected_assessment
