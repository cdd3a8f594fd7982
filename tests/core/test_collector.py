import gc

from kotacerdas.core.collector import collector_paused


def test_the_collector_is_paused_inside_and_restored_after_even_when_nested_or_failing() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it paused and leaves it so
    assert gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("bad row")
    except ValueError:
        pass
    assert gc.isenabled()
