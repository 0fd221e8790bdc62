"""Consumers, tags and resource policies through boto3 and the AWS CLI.

Covers RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
DeregisterStreamConsumer, AddTagsToStream, RemoveTagsFromStream,
ListTagsForStream, TagResource, UntagResource, ListTagsForResource,
PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy, CreateStream's Tags
and DeleteStream's EnforceConsumerDeletion, each with its error paths. Expected
values are what Amazon Kinesis Data Streams answers: shapes from the service
model, error names and messages as the service words them.
"""

import datetime
import json
import re
import shutil
import unittest

from kinesim_process import (ACCOUNT_ID, REGION, KinesimServer, ServerTestCase,
                             not_found, require_managed, stream_arn, unique_name, wait_until)

CONSUMER_KEYS = ["ConsumerName", "ConsumerARN", "ConsumerStatus", "ConsumerCreationTimestamp"]
INVALID_CHARACTERS = ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
                      "white space, _ . / = + - % @.")
NEITHER = "Either ConsumerARN or both StreamARN and ConsumerName must be provided."


def consumer_not_found(stream, name, created_s=None):
    when = "" if created_s is None else " with creation timestamp %d" % created_s
    return "Consumer %s%s under stream %s and account %s not found." % (name, when, stream, ACCOUNT_ID)


def consumer_arn_pattern(stream, name):
    return r"^arn:aws:kinesis:%s:%s:stream/%s/consumer/%s:(\d{10})$" % (
        REGION, ACCOUNT_ID, re.escape(stream), re.escape(name))


def without_metadata(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def too_many_stream_tags(stream):
    return ("Failed to add tags to stream %s under account %s because a given stream cannot have more "
            "than 10 tags associated with it." % (stream, ACCOUNT_ID))


class ConsumersTest(ServerTestCase):
    """RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer."""

    def register(self, stream, name, **kwargs):
        return self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream), ConsumerName=name,
                                                     **kwargs)["Consumer"]

    def test_register_describe_list_deregister(self):
        stream = self.create_stream()
        consumer = self.register(stream, "app-1")
        self.assertEqual(sorted(consumer), sorted(CONSUMER_KEYS))
        self.assertEqual(consumer["ConsumerName"], "app-1")
        self.assertEqual(consumer["ConsumerStatus"], "ACTIVE")
        created = consumer["ConsumerCreationTimestamp"]
        self.assertIsInstance(created, datetime.datetime)
        self.assertLess(abs((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()), 120)
        match = re.match(consumer_arn_pattern(stream, "app-1"), consumer["ConsumerARN"])
        self.assertIsNotNone(match, consumer["ConsumerARN"])
        # The ARN ends in the creation second.
        self.assertEqual(int(match.group(1)), int(created.timestamp()))
        arn = consumer["ConsumerARN"]

        for kwargs in ({"ConsumerARN": arn},
                       {"StreamARN": stream_arn(stream), "ConsumerName": "app-1"},
                       {"StreamARN": stream_arn(stream), "ConsumerName": "app-1", "ConsumerARN": arn}):
            desc = self.kinesis.describe_stream_consumer(**kwargs)["ConsumerDescription"]
            self.assertEqual(sorted(desc), sorted(CONSUMER_KEYS + ["StreamARN"]), kwargs)
            self.assertEqual(desc["ConsumerARN"], arn)
            self.assertEqual(desc["StreamARN"], stream_arn(stream))
            self.assertEqual(desc["ConsumerCreationTimestamp"], created)

        listed = self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream))
        self.assertEqual(listed["Consumers"], [consumer])
        self.assertNotIn("NextToken", listed)
        summary = self.kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
        self.assertEqual(summary["ConsumerCount"], 1)

        response = self.kinesis.deregister_stream_consumer(ConsumerARN=arn)
        self.assertEqual(without_metadata(response), {})
        self.assertClientError(lambda: self.kinesis.describe_stream_consumer(ConsumerARN=arn),
                               "ResourceNotFoundException",
                               consumer_not_found(stream, "app-1", int(match.group(1))))
        self.assertEqual(self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream))["Consumers"], [])

    def test_register_errors(self):
        missing = unique_name("missing")
        self.assertClientError(lambda: self.register(missing, "c"), "ResourceNotFoundException",
                               not_found(missing))
        stream = self.create_stream()
        self.register(stream, "c")
        self.assertClientError(lambda: self.register(stream, "c"), "ResourceInUseException",
                               "Consumer c under stream %s and account %s already exists." % (stream, ACCOUNT_ID))
        self.assertClientError(lambda: self.register(stream, "has space"), "ValidationException",
                               "1 validation error detected: Value 'has space' at 'consumerName' failed to "
                               "satisfy constraint: Member must satisfy regular expression pattern: "
                               "[a-zA-Z0-9_.-]+")
        bad_arn = stream_arn(stream) + "/extra"
        self.assertClientError(
            lambda: self.kinesis.register_stream_consumer(StreamARN=bad_arn, ConsumerName="d"),
            "InvalidArgumentException", "Invalid StreamARN: " + bad_arn)
        for i in range(19):
            self.register(stream, "more-%02d" % i)
        self.assertClientError(lambda: self.register(stream, "one-too-many"), "LimitExceededException",
                               "This request would exceed the limit of 20 consumers registered with "
                               "stream %s under account %s." % (stream, ACCOUNT_ID))
        self.assertEqual(len(self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream))["Consumers"]), 20)

    def test_register_with_tags(self):
        stream = self.create_stream()
        arn = self.register(stream, "tagged", Tags={"team": "core", "env": ""})["ConsumerARN"]
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "env", "Value": ""}, {"Key": "team", "Value": "core"}])
        self.assertClientError(lambda: self.register(stream, "bad", Tags={"a;": "b"}),
                               "InvalidArgumentException", INVALID_CHARACTERS)

    def test_describe_errors(self):
        stream = self.create_stream()
        arn = self.register(stream, "c")["ConsumerARN"]
        other = self.create_stream()
        describe = self.kinesis.describe_stream_consumer
        self.assertClientError(lambda: describe(), "InvalidArgumentException", NEITHER)
        self.assertClientError(lambda: describe(StreamARN=stream_arn(stream)), "InvalidArgumentException", NEITHER)
        self.assertClientError(lambda: describe(ConsumerName="c"), "InvalidArgumentException", NEITHER)
        self.assertClientError(lambda: describe(ConsumerARN=arn, ConsumerName="d"), "InvalidArgumentException",
                               "ConsumerARN %s does not match ConsumerName d." % arn)
        self.assertClientError(lambda: describe(ConsumerARN=arn, StreamARN=stream_arn(other)),
                               "InvalidArgumentException",
                               "ConsumerARN %s does not match StreamARN %s." % (arn, stream_arn(other)))
        self.assertClientError(lambda: describe(StreamARN=stream_arn(stream), ConsumerName="nobody"),
                               "ResourceNotFoundException", consumer_not_found(stream, "nobody"))
        created = int(arn.rsplit(":", 1)[1])
        stale = arn.rsplit(":", 1)[0] + ":%d" % (created - 1)
        self.assertClientError(lambda: describe(ConsumerARN=stale), "ResourceNotFoundException",
                               consumer_not_found(stream, "c", created - 1))
        missing = unique_name("missing")
        self.assertClientError(lambda: describe(StreamARN=stream_arn(missing), ConsumerName="c"),
                               "ResourceNotFoundException", not_found(missing))

    def test_deregister_errors(self):
        stream = self.create_stream()
        arn = self.register(stream, "c")["ConsumerARN"]
        deregister = self.kinesis.deregister_stream_consumer
        self.assertClientError(lambda: deregister(), "InvalidArgumentException", NEITHER)
        self.assertClientError(lambda: deregister(ConsumerARN=arn, ConsumerName="d"), "InvalidArgumentException",
                               "ConsumerARN %s does not match ConsumerName d." % arn)
        self.assertClientError(lambda: deregister(StreamARN=stream_arn(stream), ConsumerName="nobody"),
                               "ResourceNotFoundException", consumer_not_found(stream, "nobody"))
        # None of those touched it; by name it goes.
        self.assertEqual(self.kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
                         ["ConsumerStatus"], "ACTIVE")
        deregister(StreamARN=stream_arn(stream), ConsumerName="c")
        self.assertClientError(lambda: deregister(ConsumerARN=arn), "ResourceNotFoundException",
                               consumer_not_found(stream, "c", int(arn.rsplit(":", 1)[1])))

    def test_list_paginator_and_errors(self):
        stream = self.create_stream()
        names = ["c%02d" % i for i in range(20)]
        for name in names:
            self.register(stream, name)
        paginator = self.kinesis.get_paginator("list_stream_consumers")
        pages = list(paginator.paginate(StreamARN=stream_arn(stream), PaginationConfig={"PageSize": 6}))
        self.assertEqual([len(p["Consumers"]) for p in pages], [6, 6, 6, 2])
        self.assertEqual([c["ConsumerName"] for p in pages for c in p["Consumers"]], names)
        everything = paginator.paginate(StreamARN=stream_arn(stream)).build_full_result()
        self.assertEqual(len(everything["Consumers"]), 20)

        first = self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream), MaxResults=1)
        token = first["NextToken"]
        created = self.kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"][
            "StreamCreationTimestamp"]
        self.assertClientError(
            lambda: self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream), NextToken=token,
                                                       StreamCreationTimestamp=created),
            "InvalidArgumentException", "NextToken and StreamCreationTimestamp cannot be provided together.")
        self.assertClientError(
            lambda: self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream), NextToken="garbage"),
            "InvalidArgumentException", "Invalid NextToken.")
        self.assertEqual(len(self.kinesis.list_stream_consumers(
            StreamARN=stream_arn(stream), StreamCreationTimestamp=created)["Consumers"]), 20)
        self.assertClientError(
            lambda: self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream),
                                                       StreamCreationTimestamp=created - datetime.timedelta(days=1)),
            "ResourceNotFoundException", not_found(stream))
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.list_stream_consumers(StreamARN=stream_arn(missing)),
                               "ResourceNotFoundException", not_found(missing))

    def test_delete_stream_with_consumers(self):
        stream = self.create_stream()
        arn = self.register(stream, "c")["ConsumerARN"]
        self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"k": "v"})
        self.kinesis.put_resource_policy(ResourceARN=stream_arn(stream), Policy='{"Version":"2012-10-17"}')
        refusal = ("DeleteStream can\u2019t delete %s:%s because there are consumers associated with this data "
                   "stream. To delete %s anyway, set the EnforceConsumerDeletion parameter to true to force the "
                   "deletion of all the consumers that are associated with it." % (ACCOUNT_ID, stream, stream))
        self.assertClientError(lambda: self.kinesis.delete_stream(StreamName=stream), "ResourceInUseException",
                               refusal)
        self.assertClientError(lambda: self.kinesis.delete_stream(StreamName=stream, EnforceConsumerDeletion=False),
                               "ResourceInUseException", refusal)
        self.assertEqual(self.kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
                         ["ConsumerStatus"], "ACTIVE")

        self.kinesis.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
        self.kinesis.get_waiter("stream_not_exists").wait(StreamName=stream,
                                                          WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertClientError(lambda: self.kinesis.describe_stream_consumer(ConsumerARN=arn),
                               "ResourceNotFoundException", not_found(stream))
        # The same name again is a stream without the old one's consumers, tags or policy.
        self.create_stream(name=stream)
        self.assertEqual(self.kinesis.list_stream_consumers(StreamARN=stream_arn(stream))["Consumers"], [])
        self.assertEqual(without_metadata(self.kinesis.list_tags_for_stream(StreamName=stream)),
                         {"Tags": [], "HasMoreTags": False})
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=stream_arn(stream))["Policy"], "{}")
        self.kinesis.delete_stream(StreamName=stream)


class TagsTest(ServerTestCase):
    """AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, CreateStream Tags and the *Resource tag APIs."""

    def test_add_list_remove(self):
        stream = self.create_stream()
        self.assertEqual(without_metadata(self.kinesis.list_tags_for_stream(StreamName=stream)),
                         {"Tags": [], "HasMoreTags": False})
        response = self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"b": "1", "a": "", "Zb": "x"})
        self.assertEqual(without_metadata(response), {})
        self.kinesis.add_tags_to_stream(StreamARN=stream_arn(stream), Tags={"b": "2", "\u00ff": "y", "_": "u"})
        listed = self.kinesis.list_tags_for_stream(StreamName=stream)
        self.assertEqual(listed["Tags"], [{"Key": "Zb", "Value": "x"}, {"Key": "_", "Value": "u"},
                                          {"Key": "a", "Value": ""}, {"Key": "b", "Value": "2"},
                                          {"Key": "\u00ff", "Value": "y"}])
        self.assertFalse(listed["HasMoreTags"])
        page = self.kinesis.list_tags_for_stream(StreamName=stream, ExclusiveStartTagKey="Z~", Limit=2)
        self.assertEqual([t["Key"] for t in page["Tags"]], ["_", "a"])
        self.assertTrue(page["HasMoreTags"])
        page = self.kinesis.list_tags_for_stream(StreamARN=stream_arn(stream), ExclusiveStartTagKey="a", Limit=2)
        self.assertEqual([t["Key"] for t in page["Tags"]], ["b", "\u00ff"])
        self.assertFalse(page["HasMoreTags"])

        response = self.kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["b", "never-there"])
        self.assertEqual(without_metadata(response), {})
        self.assertEqual([t["Key"] for t in self.kinesis.list_tags_for_stream(StreamName=stream)["Tags"]],
                         ["Zb", "_", "a", "\u00ff"])

    def test_add_errors(self):
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.add_tags_to_stream(StreamName=missing, Tags={";": "x"}),
                               "ResourceNotFoundException", not_found(missing))
        stream = self.create_stream()
        self.assertClientError(lambda: self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"k": "a;b"}),
                               "InvalidArgumentException", INVALID_CHARACTERS)
        self.assertClientError(
            lambda: self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"k%": "v"}), "InvalidArgumentException",
            "Failed to add tags to stream %s under account %s because some tags contained illegal characters. The "
            "allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'." % (stream, ACCOUNT_ID))
        self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"k%02d" % i: "v" for i in range(50)})
        self.assertClientError(lambda: self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"one": "more"}),
                               "InvalidArgumentException", too_many_stream_tags(stream))
        tags = self.kinesis.list_tags_for_stream(StreamName=stream)["Tags"]
        self.assertEqual(len(tags), 50)
        self.assertNotIn("one", [t["Key"] for t in tags])

    def test_remove_and_list_errors(self):
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.remove_tags_from_stream(StreamName=missing, TagKeys=["a"]),
                               "ResourceNotFoundException", not_found(missing))
        self.assertClientError(lambda: self.kinesis.list_tags_for_stream(StreamName=missing),
                               "ResourceNotFoundException", not_found(missing))
        stream = self.create_stream()
        self.kinesis.add_tags_to_stream(StreamName=stream, Tags={"keep": "me"})
        self.assertClientError(
            lambda: self.kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["keep", "a,b"]),
            "InvalidArgumentException", INVALID_CHARACTERS)
        self.assertClientError(
            lambda: self.kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["keep", "50%"]),
            "InvalidArgumentException",
            "Failed to remove tags from stream %s under account %s because some tags contained illegal characters. "
            "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
            % (stream, ACCOUNT_ID))
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=stream)["Tags"], [{"Key": "keep", "Value": "me"}])

    def test_create_stream_tags(self):
        stream = self.create_stream(Tags={"team": "core", "Foo": "Bar"})
        self.assertEqual(without_metadata(self.kinesis.list_tags_for_stream(StreamName=stream)),
                         {"Tags": [{"Key": "Foo", "Value": "Bar"}, {"Key": "team", "Value": "core"}],
                          "HasMoreTags": False})
        name = unique_name("toomany")
        self.assertClientError(
            lambda: self.kinesis.create_stream(StreamName=name, ShardCount=1,
                                               Tags={"k%02d" % i: "" for i in range(51)}),
            "InvalidArgumentException", too_many_stream_tags(name))

    def test_tag_resource_family(self):
        stream = self.create_stream()
        consumer = self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream),
                                                         ConsumerName="c")["Consumer"]["ConsumerARN"]
        response = self.kinesis.tag_resource(ResourceARN=stream_arn(stream), Tags={"on": "stream"})
        self.assertEqual(without_metadata(response), {})
        self.kinesis.tag_resource(ResourceARN=consumer, Tags={"on": "consumer", "x": "1"})
        listed = self.kinesis.list_tags_for_resource(ResourceARN=consumer)
        self.assertEqual(without_metadata(listed), {"Tags": [{"Key": "on", "Value": "consumer"},
                                                             {"Key": "x", "Value": "1"}]})
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=stream_arn(stream))["Tags"],
                         [{"Key": "on", "Value": "stream"}])
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=stream)["Tags"], [{"Key": "on", "Value": "stream"}])
        response = self.kinesis.untag_resource(ResourceARN=consumer, TagKeys=["x", "missing"])
        self.assertEqual(without_metadata(response), {})
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=consumer)["Tags"],
                         [{"Key": "on", "Value": "consumer"}])
        self.kinesis.untag_resource(ResourceARN=stream_arn(stream), TagKeys=["on"])
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=stream_arn(stream))["Tags"], [])

    def test_tag_resource_errors(self):
        stream = self.create_stream()
        consumer = self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream),
                                                         ConsumerName="c")["Consumer"]["ConsumerARN"]
        bad = stream_arn(stream) + "/not-a-consumer"
        self.assertClientError(lambda: self.kinesis.tag_resource(ResourceARN=bad, Tags={"a": "b"}),
                               "InvalidArgumentException", "Invalid ResourceARN: " + bad)
        self.assertClientError(lambda: self.kinesis.untag_resource(ResourceARN=bad, TagKeys=["a"]),
                               "InvalidArgumentException", "Invalid ResourceARN: " + bad)
        self.assertClientError(lambda: self.kinesis.list_tags_for_resource(ResourceARN=bad),
                               "InvalidArgumentException", "Invalid ResourceARN: " + bad)
        missing = unique_name("missing")
        self.assertClientError(lambda: self.kinesis.tag_resource(ResourceARN=stream_arn(missing), Tags={"a": "b"}),
                               "ResourceNotFoundException", not_found(missing))
        self.assertClientError(lambda: self.kinesis.untag_resource(ResourceARN=stream_arn(missing), TagKeys=["a"]),
                               "ResourceNotFoundException", not_found(missing))
        self.assertClientError(lambda: self.kinesis.list_tags_for_resource(ResourceARN=stream_arn(missing)),
                               "ResourceNotFoundException", not_found(missing))
        created = int(consumer.rsplit(":", 1)[1])
        ghost = stream_arn(stream) + "/consumer/ghost:%d" % created
        self.assertClientError(lambda: self.kinesis.list_tags_for_resource(ResourceARN=ghost),
                               "ResourceNotFoundException", consumer_not_found(stream, "ghost", created))
        self.assertClientError(lambda: self.kinesis.tag_resource(ResourceARN=consumer, Tags={"a;": "b"}),
                               "InvalidArgumentException", INVALID_CHARACTERS)
        self.kinesis.tag_resource(ResourceARN=consumer, Tags={"k%02d" % i: "v" for i in range(50)})
        self.assertClientError(
            lambda: self.kinesis.tag_resource(ResourceARN=consumer, Tags={"one": "more"}), "InvalidArgumentException",
            "Failed to add tags to consumer c under stream %s and account %s because a given consumer cannot have "
            "more than 50 tags associated with it." % (stream, ACCOUNT_ID))
        self.assertClientError(lambda: self.kinesis.tag_resource(ResourceARN=stream_arn(stream),
                                                                 Tags={"k%02d" % i: "v" for i in range(51)}),
                               "InvalidArgumentException", too_many_stream_tags(stream))


class PoliciesTest(ServerTestCase):
    """PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy."""

    POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": ["kinesis:GetRecords", "kinesis:DescribeStreamSummary"], "Resource": "*"}]}, indent=2)

    def test_stream_policy(self):
        stream = self.create_stream()
        arn = stream_arn(stream)
        self.assertEqual(without_metadata(self.kinesis.get_resource_policy(ResourceARN=arn)), {"Policy": "{}"})
        response = self.kinesis.put_resource_policy(ResourceARN=arn, Policy=self.POLICY)
        self.assertEqual(without_metadata(response), {})
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], self.POLICY)
        response = self.kinesis.delete_resource_policy(ResourceARN=arn)
        self.assertEqual(without_metadata(response), {})
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], "{}")

    def test_consumer_policy(self):
        stream = self.create_stream()
        consumer = self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream),
                                                         ConsumerName="c")["Consumer"]["ConsumerARN"]
        self.kinesis.put_resource_policy(ResourceARN=consumer, Policy='{"for": "consumer"}')
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=consumer)["Policy"], '{"for": "consumer"}')
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=stream_arn(stream))["Policy"], "{}")
        self.kinesis.delete_resource_policy(ResourceARN=consumer)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=consumer)["Policy"], "{}")

    def test_errors(self):
        stream = self.create_stream()
        arn = stream_arn(stream)
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy=self.POLICY)
        for bad_policy in ("", "not json", "[]", '{"a": 1,}', '{"a": 1} trailing'):
            self.assertClientError(lambda: self.kinesis.put_resource_policy(ResourceARN=arn, Policy=bad_policy),
                                   "InvalidArgumentException", "Policy is not a valid JSON policy document.")
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], self.POLICY)

        missing = unique_name("missing")
        for call in (lambda: self.kinesis.put_resource_policy(ResourceARN=stream_arn(missing), Policy="{}"),
                     lambda: self.kinesis.get_resource_policy(ResourceARN=stream_arn(missing)),
                     lambda: self.kinesis.delete_resource_policy(ResourceARN=stream_arn(missing))):
            self.assertClientError(call, "ResourceNotFoundException", not_found(missing))
        bad = arn + "/sub"
        for call in (lambda: self.kinesis.put_resource_policy(ResourceARN=bad, Policy="{}"),
                     lambda: self.kinesis.get_resource_policy(ResourceARN=bad),
                     lambda: self.kinesis.delete_resource_policy(ResourceARN=bad)):
            self.assertClientError(call, "InvalidArgumentException", "Invalid ResourceARN: " + bad)
        ghost = arn + "/consumer/ghost:1790000000"
        self.assertClientError(lambda: self.kinesis.get_resource_policy(ResourceARN=ghost),
                               "ResourceNotFoundException", consumer_not_found(stream, "ghost", 1790000000))

        self.kinesis.delete_resource_policy(ResourceARN=arn)
        self.assertClientError(lambda: self.kinesis.delete_resource_policy(ResourceARN=arn),
                               "ResourceNotFoundException", "No resource policy is attached to %s." % arn)


class ConsumerStatesTest(ServerTestCase):
    """A server whose consumers take a while to create and delete, as in AWS."""

    DELAY_MS = 1500

    @classmethod
    def setUpClass(cls):
        require_managed("needs a kinesim it starts with --consumer-delay-ms")
        super(ServerTestCase, cls).setUpClass()
        cls.server = KinesimServer(db=cls.db, extra_args=["--consumer-delay-ms", str(cls.DELAY_MS)]).start()
        cls.kinesis = cls.server.client()

    def status(self, arn):
        try:
            return self.kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"]
        except self.kinesis.exceptions.ResourceNotFoundException:
            return "GONE"

    def test_creating_active_deleting(self):
        stream = self.create_stream()
        consumer = self.kinesis.register_stream_consumer(StreamARN=stream_arn(stream), ConsumerName="c")["Consumer"]
        self.assertEqual(consumer["ConsumerStatus"], "CREATING")
        arn = consumer["ConsumerARN"]
        created = int(arn.rsplit(":", 1)[1])
        # Changing the policy of a consumer that is not ACTIVE is refused.
        not_active = ("Consumer c with creation timestamp %d under stream %s and account %s is not in ACTIVE "
                      "status." % (created, stream, ACCOUNT_ID))
        self.assertClientError(lambda: self.kinesis.put_resource_policy(ResourceARN=arn, Policy="{}"),
                               "ResourceInUseException", not_active)
        self.assertClientError(lambda: self.kinesis.tag_resource(ResourceARN=arn, Tags={"a": "b"}),
                               "ResourceInUseException", not_active)
        self.assertEqual(wait_until(lambda: self.status(arn) == "ACTIVE", timeout=10), True)
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy="{}")
        self.kinesis.deregister_stream_consumer(ConsumerARN=arn)
        self.assertEqual(self.status(arn), "DELETING")
        self.assertClientError(lambda: self.kinesis.delete_stream(StreamName=stream), "ResourceInUseException")
        self.assertEqual(wait_until(lambda: self.status(arn) == "GONE", timeout=10), True)
        self.kinesis.delete_stream(StreamName=stream)


def cli_available():
    return shutil.which("aws") is not None


@unittest.skipIf(not cli_available(), "the AWS CLI (aws) is not installed")
class CliTest(ServerTestCase):
    """The everyday consumer and stream-tag commands through the AWS CLI."""

    def test_consumers(self):
        stream = self.create_stream()
        consumer = self.aws("register-stream-consumer", "--stream-arn", stream_arn(stream),
                            "--consumer-name", "cli-app")["Consumer"]
        self.assertEqual(sorted(consumer), sorted(CONSUMER_KEYS))
        self.assertRegex(consumer["ConsumerARN"], consumer_arn_pattern(stream, "cli-app"))
        self.assertEqual(consumer["ConsumerStatus"], "ACTIVE")
        arn = consumer["ConsumerARN"]
        desc = self.aws("describe-stream-consumer", "--consumer-arn", arn)["ConsumerDescription"]
        self.assertEqual(desc["StreamARN"], stream_arn(stream))
        self.assertEqual(desc["ConsumerName"], "cli-app")
        desc = self.aws("describe-stream-consumer", "--stream-arn", stream_arn(stream),
                        "--consumer-name", "cli-app")["ConsumerDescription"]
        self.assertEqual(desc["ConsumerARN"], arn)
        listed = self.aws("list-stream-consumers", "--stream-arn", stream_arn(stream))
        self.assertEqual([c["ConsumerARN"] for c in listed["Consumers"]], [arn])
        self.assertIsNone(self.aws("deregister-stream-consumer", "--consumer-arn", arn))
        proc = self.aws("describe-stream-consumer", "--consumer-arn", arn, expect_ok=False)
        self.assertCliError(proc, "DescribeStreamConsumer", "ResourceNotFoundException",
                            consumer_not_found(stream, "cli-app", int(arn.rsplit(":", 1)[1])))
        self.assertEqual(self.aws("list-stream-consumers", "--stream-arn", stream_arn(stream))["Consumers"], [])
        proc = self.aws("deregister-stream-consumer", "--stream-arn", stream_arn(stream), expect_ok=False)
        self.assertCliError(proc, "DeregisterStreamConsumer", "InvalidArgumentException", NEITHER)

    def test_stream_tags(self):
        stream = self.create_stream()
        self.assertIsNone(self.aws("add-tags-to-stream", "--stream-name", stream, "--tags", "team=core,env=dev"))
        self.assertEqual(self.aws("list-tags-for-stream", "--stream-name", stream),
                         {"Tags": [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "core"}],
                          "HasMoreTags": False})
        self.assertIsNone(self.aws("remove-tags-from-stream", "--stream-name", stream, "--tag-keys", "env", "nope"))
        self.assertEqual(self.aws("list-tags-for-stream", "--stream-name", stream)["Tags"],
                         [{"Key": "team", "Value": "core"}])
        proc = self.aws("add-tags-to-stream", "--stream-name", stream, "--tags", '{"bad;key": "v"}',
                        expect_ok=False)
        self.assertCliError(proc, "AddTagsToStream", "InvalidArgumentException", INVALID_CHARACTERS)
        missing = unique_name("missing")
        proc = self.aws("list-tags-for-stream", "--stream-name", missing, expect_ok=False)
        self.assertCliError(proc, "ListTagsForStream", "ResourceNotFoundException", not_found(missing))


if __name__ == "__main__":
    unittest.main()
