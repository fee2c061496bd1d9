"""The station console shows connection states, outbox depth and the last reads."""

import io

from rich.console import Console

from devices.scanner.console import GatewayStats, RecentRead, render


def stats(**kw) -> GatewayStats:
    base = dict(
        site="main", device_id="st-01", serial="connected", mqtt="disconnected",
        depth=3, reads=4, published=4, resent=0, confirmed=1, rejected_local=1,
        discards=0, bad_feedback=0,
        recent=(
            RecentRead("08:00:01", "BX00012345W", 1, "accepted", "OK"),
            RecentRead("08:00:02", "BX00012346Q", None, "refused", "bad_check_character"),
        ),
    )  # fmt: skip
    return GatewayStats(**{**base, **kw})


def text_of(s: GatewayStats) -> str:
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(render(s))
    return out.getvalue()


def test_console_shows_station_states_depth_and_reads_newest_first():
    text = text_of(stats())
    assert "main/st-01" in text
    assert "scanner connected" in text and "MQTT disconnected" in text
    assert "outbox 3" in text
    assert text.index("BX00012346Q") < text.index("BX00012345W")
    assert "bad_check_character" in text and "accepted" in text
