"""Stream and account settings through boto3 and the AWS CLI.

StartStreamEncryption, StopStreamEncryption, EnableEnhancedMonitoring,
DisableEnhancedMonitoring, UpdateStreamMode, UpdateMaxRecordSize,
UpdateStreamWarmThroughput, DescribeLimits, DescribeAccountSettings and
UpdateAccountSettings, with their effects on the data plane. Expected values
are what Amazon Kinesis Data Streams returns: shapes from the service model,
error names and messages as the service words them.

Account-level state (limits, the billing commitment) is per account: the tests
that look at it use an account of their own (a 12-digit access key names the
account), so they also work against a shared endpoint.
"""

import datetime
import random
import shutil
import unittest

import boto3
import botocore.config
from botocore.exceptions import ParamValidationError

from kinesim_process import (ACCOUNT_ID, REGION, KinesimServer, ServerTestCase, client_env,
                             not_found, require_managed, shard_id, stream_arn, unique_name)

ALL_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
               "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
               "IteratorAgeMilliseconds"]
MIB = 1024 * 1024
NOT_OPTED_IN_WARM = ("Account isn't opted in to MinimumThroughputBillingCommitment, which warm "
                     "throughput requires.")
NOT_OPTED_IN_DISABLE = ("Account isn't opted in to MinimumThroughputBillingCommitment, so there is "
                        "no commitment to disable.")
ON_DEMAND_ONLY = "WarmThroughputMiBps can only be specified for streams in ON_DEMAND mode."


def random_account():
    return "%012d" % random.randrange(10 ** 11, 10 ** 12)


def mode_limit(name, account=ACCOUNT_ID):
    return ("Cannot switch the capacity mode of stream %s under account %s more than 2 times in a "
            "rolling 24-hour period." % (name, account))


def too_long(path, limit):
    return ("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must "
            "have length less than or equal to %d" % (path, limit))


def tamper_body(client, operation, body):
    """Make every `operation` call of `client` send `body` instead of what boto3 built."""
    def replace(request, **kwargs):
        request.data = body
    client.meta.events.register("before-sign.kinesis.%s" % operation, replace)


class SettingsTestCase(ServerTestCase):

    def account_client(self):
        """A fresh account of its own, and a client acting in it (no retries, like the others)."""
        account = random_account()
        client = boto3.session.Session().client(
            "kinesis", endpoint_url=self.server.endpoint, region_name=REGION,
            aws_access_key_id=account, aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
        return account, client

    def summary(self, name, client=None):
        client = client or self.kinesis
        return client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]

    def wait_active(self, name, client=None):
        client = client or self.kinesis
        client.get_waiter("stream_exists").wait(StreamName=name,
                                                WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


class EncryptionTest(SettingsTestCase):

    def test_records_carry_the_encryption_they_were_written_with(self):
        name = self.create_stream(1)
        before = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"one")
        self.assertNotIn("EncryptionType", before)

        response = self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS",
                                                        KeyId="alias/aws/kinesis")
        self.assertEqual(set(response), {"ResponseMetadata"})
        self.wait_active(name)
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual((desc["EncryptionType"], desc["KeyId"]), ("KMS", "alias/aws/kinesis"))
        summary = self.summary(name)
        self.assertEqual((summary["EncryptionType"], summary["KeyId"]), ("KMS", "alias/aws/kinesis"))

        during = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"two")
        self.assertEqual(during["EncryptionType"], "KMS")
        batch = self.kinesis.put_records(StreamName=name,
                                         Records=[{"PartitionKey": "k", "Data": b"three"}])
        self.assertEqual(batch["EncryptionType"], "KMS")

        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS",
                                            KeyId="alias/aws/kinesis")
        self.wait_active(name)
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["EncryptionType"], "NONE")
        self.assertNotIn("KeyId", desc)
        after = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"four")
        self.assertNotIn("EncryptionType", after)

        records = self.read_shard(name, shard_id(0))
        self.assertEqual([r["Data"] for r in records], [b"one", b"two", b"three", b"four"])
        self.assertEqual([r.get("EncryptionType") for r in records], [None, "KMS", "KMS", None])

    def test_key_forms_and_rotation(self):
        name = self.create_stream(1)
        arn = stream_arn(name)
        for key_id in ["12345678-1234-1234-1234-123456789012",
                       "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
                       "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName",
                       "alias/MyAliasName"]:
            self.kinesis.start_stream_encryption(StreamARN=arn, EncryptionType="KMS", KeyId=key_id)
            self.wait_active(name)
            self.assertEqual(self.summary(name)["KeyId"], key_id)

    def test_errors(self):
        name = self.create_stream(1)
        self.assertClientError(
            lambda: self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="NONE",
                                                         KeyId="alias/a"),
            "InvalidArgumentException", "Encryption type cannot be NONE.")
        self.assertClientError(
            lambda: self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS",
                                                         KeyId="MyAliasName"),
            "KMSNotFoundException", "Invalid keyId MyAliasName")
        self.assertClientError(
            lambda: self.kinesis.start_stream_encryption(StreamName="missing-" + name,
                                                         EncryptionType="KMS", KeyId="alias/a"),
            "ResourceNotFoundException", not_found("missing-" + name))
        self.assertEqual(self.summary(name)["EncryptionType"], "NONE")

        self.assertClientError(
            lambda: self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="NONE",
                                                        KeyId="alias/a"),
            "InvalidArgumentException", "Encryption type cannot be NONE.")
        self.assertClientError(
            lambda: self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS",
                                                        KeyId="alias/a"),
            "InvalidArgumentException",
            "Server-side encryption is not enabled on stream %s under account %s." % (name, ACCOUNT_ID))
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/a")
        self.wait_active(name)
        self.assertClientError(
            lambda: self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS",
                                                        KeyId="alias/b"),
            "InvalidArgumentException",
            "KeyId alias/b is not the key that encrypts stream %s under account %s." % (name, ACCOUNT_ID))
        self.assertEqual(self.summary(name)["KeyId"], "alias/a")


class EnhancedMonitoringTest(SettingsTestCase):

    def test_enable_and_disable(self):
        name = self.create_stream(1)
        first = self.kinesis.enable_enhanced_monitoring(StreamName=name,
                                                        ShardLevelMetrics=["IncomingBytes"])
        del first["ResponseMetadata"]
        self.assertEqual(first, {"StreamName": name, "StreamARN": stream_arn(name),
                                 "CurrentShardLevelMetrics": [],
                                 "DesiredShardLevelMetrics": ["IncomingBytes"]})
        self.wait_active(name)
        every = self.kinesis.enable_enhanced_monitoring(StreamARN=stream_arn(name),
                                                        ShardLevelMetrics=["ALL"])
        self.assertEqual(every["CurrentShardLevelMetrics"], ["IncomingBytes"])
        self.assertEqual(every["DesiredShardLevelMetrics"], ALL_METRICS)
        self.wait_active(name)
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["EnhancedMonitoring"], [{"ShardLevelMetrics": ALL_METRICS}])

        fewer = self.kinesis.disable_enhanced_monitoring(
            StreamName=name, ShardLevelMetrics=["IncomingBytes", "IteratorAgeMilliseconds"])
        self.assertEqual(fewer["CurrentShardLevelMetrics"], ALL_METRICS)
        self.assertEqual(fewer["DesiredShardLevelMetrics"], ALL_METRICS[1:6])
        self.wait_active(name)
        none = self.kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertEqual(none["DesiredShardLevelMetrics"], [])
        self.wait_active(name)
        self.assertEqual(self.summary(name)["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])

    def test_errors(self):
        name = self.create_stream(1)
        for call in (self.kinesis.enable_enhanced_monitoring,
                     self.kinesis.disable_enhanced_monitoring):
            self.assertClientError(lambda: call(StreamName="missing-" + name, ShardLevelMetrics=["ALL"]),
                                   "ResourceNotFoundException", not_found("missing-" + name))
            self.assertClientError(
                lambda: call(StreamName=name, ShardLevelMetrics=["Latency"]), "ValidationException",
                message_regex=r"^1 validation error detected: Value at 'shardLevelMetrics' "
                              r"failed to satisfy constraint: Member must satisfy constraint: \[Member must "
                              r"satisfy enum value set: \[.*\]\]$")
        self.assertEqual(self.summary(name)["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])


class StreamModeTest(SettingsTestCase):

    def test_switch_both_ways_keeps_the_shards(self):
        name = self.create_stream(3)
        response = self.kinesis.update_stream_mode(StreamARN=stream_arn(name),
                                                   StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertEqual(set(response), {"ResponseMetadata"})
        self.wait_active(name)
        summary = self.summary(name)
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(summary["OpenShardCount"], 3)
        self.kinesis.update_stream_mode(StreamARN=stream_arn(name),
                                        StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.wait_active(name)
        self.assertEqual(self.summary(name)["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        # Twice in 24 hours is all a stream gets.
        self.assertClientError(
            lambda: self.kinesis.update_stream_mode(StreamARN=stream_arn(name),
                                                    StreamModeDetails={"StreamMode": "ON_DEMAND"}),
            "LimitExceededException", mode_limit(name))
        self.assertEqual(self.summary(name)["StreamModeDetails"], {"StreamMode": "PROVISIONED"})

    def test_errors(self):
        name = self.create_stream(1)
        arn = stream_arn(name)
        self.assertClientError(
            lambda: self.kinesis.update_stream_mode(StreamARN=arn,
                                                    StreamModeDetails={"StreamMode": "PROVISIONED"}),
            "InvalidArgumentException",
            "The capacity mode of stream %s under account %s is already PROVISIONED." % (name, ACCOUNT_ID))
        self.assertClientError(
            lambda: self.kinesis.update_stream_mode(StreamARN=stream_arn("missing-" + name),
                                                    StreamModeDetails={"StreamMode": "ON_DEMAND"}),
            "ResourceNotFoundException", not_found("missing-" + name))
        self.assertClientError(
            lambda: self.kinesis.update_stream_mode(StreamARN=arn, WarmThroughputMiBps=5,
                                                    StreamModeDetails={"StreamMode": "PROVISIONED"}),
            "ValidationException", ON_DEMAND_ONLY)
        self.assertClientError(
            lambda: self.kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "FAST"}),
            "ValidationException",
            message_regex=r"^1 validation error detected: Value 'FAST' at 'streamModeDetails.streamMode' "
                          r"failed to satisfy constraint: Member must satisfy enum value set: \[.*\]$")
        self.assertEqual(self.summary(name)["StreamModeDetails"], {"StreamMode": "PROVISIONED"})

    def test_warm_throughput_goes_with_a_switch_to_on_demand(self):
        account, client = self.account_client()
        name = self.create_stream(1, client=client)
        arn = "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, account, name)
        self.assertClientError(
            lambda: client.update_stream_mode(StreamARN=arn, WarmThroughputMiBps=25,
                                              StreamModeDetails={"StreamMode": "ON_DEMAND"}),
            "ValidationException", NOT_OPTED_IN_WARM)
        client.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        client.update_stream_mode(StreamARN=arn, WarmThroughputMiBps=25,
                                  StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(name, client)
        self.assertEqual(self.summary(name, client)["WarmThroughput"],
                         {"TargetMiBps": 25, "CurrentMiBps": 25})


class StreamStateTest(SettingsTestCase):
    """A server whose settings changes leave streams UPDATING, with a small on-demand limit."""

    @classmethod
    def setUpClass(cls):
        require_managed("needs its own kinesim with --update-delay-ms and --on-demand-stream-limit")
        super(ServerTestCase, cls).setUpClass()
        cls.server = KinesimServer(extra_args=["--update-delay-ms", "2000",
                                               "--on-demand-stream-limit", "1"]).start()
        cls.kinesis = cls.server.client()

    def test_every_change_waits_for_active(self):
        name = self.create_stream(1)
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/k")
        self.assertEqual(self.summary(name)["StreamStatus"], "UPDATING")
        busy = "Stream %s under account %s not ACTIVE, instead in state UPDATING" % (name, ACCOUNT_ID)
        # Writes go on meanwhile.
        self.assertEqual(self.kinesis.put_record(StreamName=name, PartitionKey="k",
                                                 Data=b"x")["EncryptionType"], "KMS")
        for change in (
                lambda: self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS",
                                                            KeyId="alias/k"),
                lambda: self.kinesis.enable_enhanced_monitoring(StreamName=name,
                                                                ShardLevelMetrics=["ALL"]),
                lambda: self.kinesis.update_stream_mode(StreamARN=stream_arn(name),
                                                        StreamModeDetails={"StreamMode": "ON_DEMAND"}),
                lambda: self.kinesis.update_max_record_size(StreamARN=stream_arn(name),
                                                            MaxRecordSizeInKiB=2048)):
            self.assertClientError(change, "ResourceInUseException", busy)
        self.kinesis.get_waiter("stream_exists").wait(StreamName=name,
                                                      WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        self.assertEqual(self.summary(name)["StreamStatus"], "ACTIVE")
        self.kinesis.update_max_record_size(StreamARN=stream_arn(name), MaxRecordSizeInKiB=2048)
        self.assertEqual(self.summary(name)["StreamStatus"], "UPDATING")

    def test_on_demand_stream_limit(self):
        on_demand = self.create_stream(name=unique_name("od"),
                                       StreamModeDetails={"StreamMode": "ON_DEMAND"})
        provisioned = self.create_stream(1)
        self.assertClientError(
            lambda: self.kinesis.update_stream_mode(StreamARN=stream_arn(provisioned),
                                                    StreamModeDetails={"StreamMode": "ON_DEMAND"}),
            "LimitExceededException",
            "This request would exceed the limit of ON_DEMAND streams for the account %s in %s. "
            "Current ON_DEMAND stream count for the account: 1. Limit: 1." % (ACCOUNT_ID, REGION))
        limits = self.kinesis.describe_limits()
        self.assertEqual((limits["OnDemandStreamCount"], limits["OnDemandStreamCountLimit"]), (1, 1))
        self.kinesis.delete_stream(StreamName=on_demand)
        self.kinesis.update_stream_mode(StreamARN=stream_arn(provisioned),
                                        StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.wait_active(provisioned)
        self.assertEqual(self.summary(provisioned)["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})


class MaxRecordSizeTest(SettingsTestCase):

    def test_puts_follow_the_stream_maximum(self):
        name = self.create_stream(1)
        arn = stream_arn(name)
        self.assertEqual(self.summary(name)["MaxRecordSizeInKiB"], 1024)
        two_mib = b"\x07" * (2 * MIB)
        self.assertClientError(lambda: self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=two_mib),
                               "ValidationException", too_long("data", MIB))
        self.assertClientError(
            lambda: self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": two_mib}]),
            "ValidationException", too_long("records.1.member.data", MIB))

        response = self.kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=4096)
        self.assertEqual(set(response), {"ResponseMetadata"})
        self.wait_active(name)
        self.assertEqual(self.summary(name)["MaxRecordSizeInKiB"], 4096)
        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=two_mib)
        batch = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": two_mib}])
        self.assertEqual(batch["FailedRecordCount"], 0)
        self.assertClientError(
            lambda: self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"\x01" * (4 * MIB + 1)),
            "ValidationException", too_long("data", 4 * MIB))
        records = self.read_shard(name, shard_id(0))
        self.assertEqual([len(r["Data"]) for r in records], [2 * MIB, 2 * MIB])
        self.assertEqual(records[0]["Data"], two_mib)

        self.kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=1024)
        self.wait_active(name)
        self.assertClientError(lambda: self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=two_mib),
                               "ValidationException", too_long("data", MIB))

    def test_errors(self):
        name = self.create_stream(1)
        arn = stream_arn(name)
        self.assertClientError(
            lambda: self.kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10241),
            "ValidationException",
            "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy "
            "constraint: Member must have value less than or equal to 10240")
        with self.assertRaises(ParamValidationError):  # boto3 itself knows the minimum
            self.kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=1023)
        self.assertClientError(
            lambda: self.kinesis.update_max_record_size(StreamARN=stream_arn("missing-" + name),
                                                        MaxRecordSizeInKiB=2048),
            "ResourceNotFoundException", not_found("missing-" + name))
        self.assertClientError(lambda: self.kinesis.update_max_record_size(MaxRecordSizeInKiB=2048),
                               "ValidationException", "StreamARN should be provided.")
        self.assertEqual(self.summary(name)["MaxRecordSizeInKiB"], 1024)


class WarmThroughputTest(SettingsTestCase):

    def test_on_demand_streams_of_committed_accounts_only(self):
        account, client = self.account_client()
        on_demand = self.create_stream(name=unique_name("od"), client=client,
                                       StreamModeDetails={"StreamMode": "ON_DEMAND"})
        provisioned = self.create_stream(1, client=client)
        self.assertClientError(
            lambda: client.update_stream_warm_throughput(StreamName=on_demand, WarmThroughputMiBps=100),
            "ValidationException", NOT_OPTED_IN_WARM)
        client.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        self.assertClientError(
            lambda: client.update_stream_warm_throughput(StreamName=provisioned, WarmThroughputMiBps=100),
            "ValidationException", ON_DEMAND_ONLY)
        self.assertClientError(
            lambda: client.update_stream_warm_throughput(StreamName=on_demand, WarmThroughputMiBps=10241),
            "LimitExceededException",
            "WarmThroughputMiBps 10241 exceeds the limit of 10240 MiBps for an on-demand stream.")
        self.assertClientError(
            lambda: client.update_stream_warm_throughput(StreamName="missing-" + on_demand,
                                                         WarmThroughputMiBps=100),
            "ResourceNotFoundException",
            "Stream missing-%s under account %s not found." % (on_demand, account))

        response = client.update_stream_warm_throughput(StreamName=on_demand, WarmThroughputMiBps=100)
        del response["ResponseMetadata"]
        self.assertEqual(response, {
            "StreamARN": "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, account, on_demand),
            "StreamName": on_demand,
            "WarmThroughput": {"TargetMiBps": 100, "CurrentMiBps": 0}})
        self.wait_active(on_demand, client)
        self.assertEqual(self.summary(on_demand, client)["WarmThroughput"],
                         {"TargetMiBps": 100, "CurrentMiBps": 100})
        lower = client.update_stream_warm_throughput(
            StreamARN="arn:aws:kinesis:%s:%s:stream/%s" % (REGION, account, on_demand),
            WarmThroughputMiBps=40)
        self.assertEqual(lower["WarmThroughput"], {"TargetMiBps": 40, "CurrentMiBps": 100})
        self.assertNotIn("WarmThroughput", self.summary(provisioned, client))


class DescribeLimitsTest(SettingsTestCase):

    def test_counts_open_shards_and_on_demand_streams_per_account(self):
        account, client = self.account_client()
        limits = client.describe_limits()
        del limits["ResponseMetadata"]
        self.assertEqual(limits, {"ShardLimit": 500, "OpenShardCount": 0, "OnDemandStreamCount": 0,
                                  "OnDemandStreamCountLimit": 50})
        self.create_stream(3, client=client)
        on_demand = self.create_stream(name=unique_name("od"), client=client,
                                       StreamModeDetails={"StreamMode": "ON_DEMAND"})
        limits = client.describe_limits()
        self.assertEqual((limits["OpenShardCount"], limits["OnDemandStreamCount"]), (7, 1))
        client.delete_stream(StreamName=on_demand)
        client.get_waiter("stream_not_exists").wait(StreamName=on_demand,
                                                    WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        limits = client.describe_limits()
        self.assertEqual((limits["OpenShardCount"], limits["OnDemandStreamCount"]), (3, 0))
        # Another account sees its own.
        _, other = self.account_client()
        self.assertEqual(other.describe_limits()["OpenShardCount"], 0)

    def test_malformed_request(self):
        _, client = self.account_client()
        tamper_body(client, "DescribeLimits", b"[]")
        self.assertClientError(client.describe_limits, "SerializationException",
                               "Start of list found where not expected")


class AccountSettingsTest(SettingsTestCase):

    def commitment(self, client):
        return client.describe_account_settings()["MinimumThroughputBillingCommitment"]

    def test_commitment_lifecycle(self):
        _, client = self.account_client()
        self.assertEqual(self.commitment(client), {"Status": "DISABLED"})
        self.assertClientError(
            lambda: client.update_account_settings(MinimumThroughputBillingCommitment={"Status": "DISABLED"}),
            "ValidationException", NOT_OPTED_IN_DISABLE)
        self.assertEqual(self.commitment(client), {"Status": "DISABLED"})

        start = datetime.datetime.now(datetime.timezone.utc)
        on = client.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED"})["MinimumThroughputBillingCommitment"]
        self.assertEqual(set(on), {"Status", "StartedAt", "EarliestAllowedEndAt"})
        self.assertEqual(on["Status"], "ENABLED")
        self.assertLess(abs((on["StartedAt"] - start).total_seconds()), 60)
        self.assertEqual(on["EarliestAllowedEndAt"] - on["StartedAt"], datetime.timedelta(hours=24))
        self.assertEqual(self.commitment(client), on)

        # Disabling within the first 24 hours schedules the end.
        pending = client.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "DISABLED"})["MinimumThroughputBillingCommitment"]
        self.assertEqual(pending, dict(on, Status="ENABLED_UNTIL_EARLIEST_ALLOWED_END",
                                       EndedAt=on["EarliestAllowedEndAt"]))
        self.assertEqual(self.commitment(client), pending)
        # Enabling again cancels it.
        again = client.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED"})["MinimumThroughputBillingCommitment"]
        self.assertEqual(again, on)

    def test_errors(self):
        _, client = self.account_client()
        self.assertClientError(
            lambda: client.update_account_settings(
                MinimumThroughputBillingCommitment={"Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"}),
            "ValidationException",
            message_regex=r"^1 validation error detected: Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at "
                          r"'minimumThroughputBillingCommitment.status' failed to satisfy constraint: "
                          r"Member must satisfy enum value set: \[.*\]$")
        tamper_body(client, "DescribeAccountSettings", b"[]")
        self.assertClientError(client.describe_account_settings, "SerializationException",
                               "Start of list found where not expected")


@unittest.skipIf(shutil.which("aws") is None, "the AWS CLI (aws) is not installed")
class SettingsCliTest(SettingsTestCase):
    """The everyday settings commands through the AWS CLI."""

    def test_settings_commands(self):
        name = self.create_stream(2)
        self.assertIsNone(self.aws("start-stream-encryption", "--stream-name", name,
                                   "--encryption-type", "KMS", "--key-id", "alias/aws/kinesis"))
        self.wait_active(name)
        desc = self.aws("describe-stream", "--stream-name", name)["StreamDescription"]
        self.assertEqual((desc["EncryptionType"], desc["KeyId"]), ("KMS", "alias/aws/kinesis"))
        self.assertIsNone(self.aws("stop-stream-encryption", "--stream-name", name,
                                   "--encryption-type", "KMS", "--key-id", "alias/aws/kinesis"))
        self.wait_active(name)

        enabled = self.aws("enable-enhanced-monitoring", "--stream-name", name,
                           "--shard-level-metrics", "ALL")
        self.assertEqual(enabled["DesiredShardLevelMetrics"], ALL_METRICS)
        self.assertEqual(enabled["CurrentShardLevelMetrics"], [])
        self.wait_active(name)
        disabled = self.aws("disable-enhanced-monitoring", "--stream-name", name,
                            "--shard-level-metrics", "IncomingBytes", "OutgoingBytes")
        self.assertEqual(disabled["CurrentShardLevelMetrics"], ALL_METRICS)
        self.assertEqual(disabled["DesiredShardLevelMetrics"],
                         [m for m in ALL_METRICS if m not in ("IncomingBytes", "OutgoingBytes")])
        self.wait_active(name)

        self.assertIsNone(self.aws("update-stream-mode", "--stream-arn", stream_arn(name),
                                   "--stream-mode-details", "StreamMode=ON_DEMAND"))
        self.wait_active(name)
        self.assertEqual(self.summary(name)["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})

        account = random_account()
        env = client_env()
        env["AWS_ACCESS_KEY_ID"] = account
        self.assertIsNone(self.aws("create-stream", "--stream-name", "cli-limits", "--shard-count", "2",
                                   env=env))
        limits = self.aws("describe-limits", env=env)
        self.assertEqual(limits, {"ShardLimit": 500, "OpenShardCount": 2, "OnDemandStreamCount": 0,
                                  "OnDemandStreamCountLimit": 50})

    def test_cli_errors(self):
        name = self.create_stream(1)
        proc = self.aws("start-stream-encryption", "--stream-name", name, "--encryption-type", "NONE",
                        "--key-id", "alias/a", expect_ok=False)
        self.assertCliError(proc, "StartStreamEncryption", "InvalidArgumentException",
                            "Encryption type cannot be NONE.")
        proc = self.aws("update-stream-mode", "--stream-arn", stream_arn(name),
                        "--stream-mode-details", "StreamMode=PROVISIONED", expect_ok=False)
        self.assertCliError(proc, "UpdateStreamMode", "InvalidArgumentException",
                            "The capacity mode of stream %s under account %s is already PROVISIONED."
                            % (name, ACCOUNT_ID))
        proc = self.aws("enable-enhanced-monitoring", "--stream-name", "missing-" + name,
                        "--shard-level-metrics", "ALL", expect_ok=False)
        self.assertCliError(proc, "EnableEnhancedMonitoring", "ResourceNotFoundException",
                            not_found("missing-" + name))


if __name__ == "__main__":
    unittest.main()
