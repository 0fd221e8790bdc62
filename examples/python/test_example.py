"""Tests that use kinesim's clock and faults from Python (run by CTest as examples.python)."""
import pytest
from botocore.exceptions import ClientError


def make_stream(kinesis, name):
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})


def trim_horizon(kinesis, name):
    return kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]


def test_each_test_starts_with_no_streams(kinesim):
    kinesis = kinesim.client()
    assert kinesis.list_streams()["StreamNames"] == []
    make_stream(kinesis, "orders")  # the next test does not see it


def test_reset_removed_the_previous_tests_stream(kinesim):
    assert kinesim.client().list_streams()["StreamNames"] == []


def test_an_iterator_expires_when_the_clock_moves_past_five_minutes(kinesim):
    kinesis = kinesim.client()
    make_stream(kinesis, "orders")
    kinesim.freeze_clock()
    iterator = trim_horizon(kinesis, "orders")
    kinesim.advance_clock(5 * 60 * 1000 + 1)
    with pytest.raises(ClientError) as err:
        kinesis.get_records(ShardIterator=iterator)
    assert err.value.response["Error"]["Code"] == "ExpiredIteratorException"


def test_records_past_retention_are_gone(kinesim):
    kinesis = kinesim.client()
    make_stream(kinesis, "orders")
    kinesim.freeze_clock()
    kinesis.put_record(StreamName="orders", PartitionKey="u1", Data=b"hello")
    assert len(kinesis.get_records(ShardIterator=trim_horizon(kinesis, "orders"))["Records"]) == 1
    kinesim.advance_clock(24 * 3600 * 1000 + 1)
    assert kinesis.get_records(ShardIterator=trim_horizon(kinesis, "orders"))["Records"] == []


def test_a_throttled_put_is_reported_and_counted(kinesim):
    kinesis = kinesim.client()
    make_stream(kinesis, "orders")
    fault = kinesim.add_fault(kind="throttle", stream="orders", operation="PutRecord", count=1)
    with pytest.raises(kinesis.exceptions.ProvisionedThroughputExceededException) as err:
        kinesis.put_record(StreamName="orders", PartitionKey="u1", Data=b"hello")
    assert err.value.response["Error"]["Message"] == (
        "Rate exceeded for shard shardId-000000000000 in stream orders under account 000000000000."
    )
    # The rule was for one call only: the retry goes through.
    kinesis.put_record(StreamName="orders", PartitionKey="u1", Data=b"hello")
    assert [f["fired"] for f in kinesim.faults() if f["id"] == fault] == [1]


def test_put_records_reports_injected_per_record_failures(kinesim):
    kinesis = kinesim.client()
    make_stream(kinesis, "orders")
    kinesim.add_fault(kind="fail_records", stream="orders", records=[0])
    out = kinesis.put_records(
        StreamName="orders",
        Records=[{"PartitionKey": "a", "Data": b"1"}, {"PartitionKey": "b", "Data": b"2"}],
    )
    assert out["FailedRecordCount"] == 1
    assert out["Records"][0]["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert "SequenceNumber" in out["Records"][1]
