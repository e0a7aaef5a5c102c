"""The clock rule: an implausible device time files the audit by receipt time, flagged."""

from datetime import UTC, datetime, timedelta

from server.core.clock import appraisal_month, clock_problem

RECEIVED = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 10:00 on 3 November in Shanghai


def test_plausible_device_time_uses_the_device_month():
    walked = datetime(2026, 10, 31, 9, 0, tzinfo=UTC)  # synced three days later
    assert appraisal_month(walked, walked, RECEIVED, "Asia/Shanghai") == ("2026-10", None)


def test_month_boundary_is_in_the_sites_time_zone():
    # 17:00 UTC on 31 October is 01:00 on 1 November in Shanghai.
    walked = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert appraisal_month(walked, walked, RECEIVED, "Asia/Shanghai")[0] == "2026-11"
    assert appraisal_month(walked, walked, RECEIVED, "UTC")[0] == "2026-10"


def test_1970_and_2099_are_flagged_and_filed_by_receipt():
    for device in (datetime(1970, 1, 1, tzinfo=UTC), datetime(2099, 12, 31, tzinfo=UTC)):
        month, flag = appraisal_month(device, device, RECEIVED, "Asia/Shanghai")
        assert month == "2026-11" and flag


def test_days_ahead_is_flagged():
    ahead = RECEIVED + timedelta(days=3)
    assert "after the server received it" in clock_problem(ahead, ahead, RECEIVED)


def test_small_drift_is_tolerated():
    assert clock_problem(RECEIVED, RECEIVED + timedelta(minutes=5), RECEIVED) is None


def test_started_after_submitted_is_flagged():
    started = RECEIVED - timedelta(hours=1)
    assert clock_problem(started, started - timedelta(hours=2), RECEIVED)


def test_naive_times_are_utc():
    naive = datetime(2026, 11, 2, 12, 0)
    assert appraisal_month(naive, naive, RECEIVED, "UTC") == ("2026-11", None)


def test_flag_is_recorded_on_the_audit(client, officer):
    import uuid

    from conftest import audit_body

    body = {
        **audit_body(client, officer),
        "started_at": "1970-01-01T00:00:00Z",
        "submitted_at": "1970-01-01T00:30:00Z",
    }
    response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=officer)
    assert response.status_code == 201
    assert response.json()["clock_flag"] and response.json()["month"] != "1970-01"
    assert response.json()["received_at"].startswith(str(datetime.now(UTC).year))
