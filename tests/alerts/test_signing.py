"""Signatures against the providers' own published examples (known-answer tests)."""

import base64
import hashlib
import hmac

from safework.alerts.signing import (
    aliyun_percent_encode,
    aliyun_signature,
    dingtalk_sign,
    feishu_sign,
    tc3_authorization,
)

# Aliyun SMS "HTTP协议及签名" example: AccessKeySecret testSecret, GET.
ALIYUN_SMS_EXAMPLE = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
    "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}  # fmt: skip


def test_aliyun_sms_documented_example():
    assert (
        aliyun_signature("GET", ALIYUN_SMS_EXAMPLE, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    )


def test_aliyun_rpc_documented_example():
    params = {
        "Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0", "Version": "2014-05-26", "Timestamp": "2016-02-23T12:46:24Z",
    }  # fmt: skip
    assert aliyun_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_aliyun_percent_encoding_rules():
    # "加号(+)替换成%20、星号(*)替换成%2A、%7E替换回波浪号(~)"
    assert aliyun_percent_encode("a b*~") == "a%20b%2A~"
    assert aliyun_percent_encode("派") == "%E6%B4%BE"


def test_tencent_tc3_documented_example():
    # Tencent Cloud API 3.0 signature v3 example (CVM DescribeInstances, POST JSON).
    payload = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    auth = tc3_authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        host="cvm.tencentcloudapi.com",
        content_type="application/json; charset=utf-8",
        payload=payload,
        timestamp=1551113065,
    )
    assert auth == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def test_dingtalk_and_feishu_use_the_secret_on_opposite_sides():
    # 钉钉: key = secret, message = "ts\nsecret"; 飞书: key = "ts\nsecret", message empty.
    ding = hmac.new(b"s", b"1000\ns", hashlib.sha256).digest()
    fei = hmac.new(b"1000\ns", b"", hashlib.sha256).digest()
    assert dingtalk_sign("s", 1000) == base64.b64encode(ding).decode()
    assert feishu_sign("s", 1000) == base64.b64encode(fei).decode()
    assert dingtalk_sign("s", 1000) != feishu_sign("s", 1000)
