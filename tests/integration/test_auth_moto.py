#!/usr/bin/env python3
"""SigV4 against a moto that checks signatures (INITIAL_NO_AUTH_ACTION_COUNT): the right
keys work and give boto3's answer; a wrong secret exits 3 naming AuthFailure without
printing the secret. Skips (77) without $VPCX_BIN."""
import json
import os
import sys
import unittest

import boto3
import botocore.exceptions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vpcx_harness as h  # noqa: E402

# CreateUser, CreateAccessKey, CreatePolicy, AttachUserPolicy run unauthenticated.
NO_AUTH_CALLS = 4
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def iam_user(url):
    iam = boto3.client("iam", endpoint_url=url, region_name=h.REGION,
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="vpcx-tester")
    key = iam.create_access_key(UserName="vpcx-tester")["AccessKey"]
    arn = iam.create_policy(PolicyName="allow-all", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="vpcx-tester", PolicyArn=arn)
    return key["AccessKeyId"], key["SecretAccessKey"]


class AuthMotoTest(h.MotoCase):
    moto_options = {"no_auth_count": NO_AUTH_CALLS}

    @classmethod
    def seed_moto(cls):
        cls.key, cls.secret = iam_user(cls.moto.url)
        ec2 = boto3.client("ec2", endpoint_url=cls.moto.url, region_name=h.REGION,
                           aws_access_key_id=cls.key, aws_secret_access_key=cls.secret)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")
        cls.reference = h.reference_inventory(cls.moto.url, cls.key, cls.secret)

    def wrong_secret(self):
        return "WrongSecret" + self.secret[11:][::-1] + "x"

    def test_precondition_moto_refuses_a_wrong_secret(self):
        ec2 = boto3.client("ec2", endpoint_url=self.moto.url, region_name=h.REGION,
                           aws_access_key_id=self.key, aws_secret_access_key=self.wrong_secret())
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            ec2.describe_vpcs()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "AuthFailure")
        self.assertEqual(self.reference["Errors"], [])

    def test_right_keys(self):
        run = h.dump(self.moto.url, self.home.env(self.key, self.secret))
        self.assertEqual(run.rc, h.EXIT_OK, run.describe())
        out = run.json()
        self.assertEqual(out["Errors"], [])
        h.assert_same_data(self, out, self.reference, label="signed with the IAM user's key")
        self.assertNotIn(self.secret, run.output)

    def test_wrong_secret_exit_3(self):
        wrong = self.wrong_secret()
        run = h.dump(self.moto.url, self.home.env(self.key, wrong), timeout=60)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertIn("AuthFailure", run.stderr)
        self.assertRegex(run.stderr.lower(), "credential|refused|not valid")
        self.assertNotIn(wrong, run.output)
        self.assertNotIn(self.secret, run.output)
        self.assertLess(run.seconds, 30, "auth failures must not be retried for long")

    def test_unknown_key_exit_3(self):
        wrong = "UnknownSecretValue0123456789"
        run = h.dump(self.moto.url, self.home.env("AKIAUNKNOWNKEY000000", wrong), timeout=60)
        self.assertEqual(run.rc, h.EXIT_AUTH, run.describe())
        self.assertNotIn(wrong, run.output)


if __name__ == "__main__":
    h.require_vpcx()
    unittest.main()
