#!/usr/bin/env python3
"""Write what botocore's own parser makes of every EC2/STS XML sample, as JSON.

For each file under <testdata>/ec2-xml/ (default tests/data, or $VPCX_TESTDATA) it
writes tests/data/xml-expected/<same relative path>.json:
  {"source", "service", "operation", "request_id", "output"}   for a response, or
  {"source", "service", "error": {"Code", "Message", "Type"?}, "request_id"} for an error.

The service and operation come from the document itself: the root element
(DescribeVpcsResponse -> DescribeVpcs) and its namespace (ec2 or sts). Parsing uses
botocore.parsers.create_parser('ec2' / 'query') with the operation's output shape, as the
AWS CLI v1 does: timestamps stay the wire string (cli_timestamp_format=none) and blobs the
base64 text. ResponseMetadata is dropped from "output" (the AWS CLI does not print it).

One deliberate difference from botocore, mirrored here so the comparison stays exact: the
members listed in gen_shapes.COMPACT_MEMBERS (STS credentials) have all whitespace removed.

Usage: python3 tools/gen_xml_expected.py [testdata_dir]
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import botocore.parsers
import botocore.session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_shapes  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def identity(value):
    return value


def compact(value, shape, service):
    """Applies COMPACT_MEMBERS to a parsed value of shape."""
    if shape.type_name == 'structure' and isinstance(value, dict):
        for name, mshape in shape.members.items():
            if name not in value:
                continue
            if (service, shape.name, name) in gen_shapes.COMPACT_MEMBERS:
                value[name] = re.sub(r'\s', '', value[name])
            else:
                value[name] = compact(value[name], mshape, service)
    elif shape.type_name == 'list' and isinstance(value, list):
        return [compact(v, shape.member, service) for v in value]
    return value


def describe(path, session):
    body = open(path, 'rb').read()
    root = ET.fromstring(body)
    m = re.match(r'(?:\{(.*)\})?(.*)', root.tag)
    ns, tag = m.group(1) or '', m.group(2)
    service = 'sts' if 'sts.amazonaws.com' in ns else 'ec2'
    if tag in ('Response', 'ErrorResponse'):
        parser = botocore.parsers.create_parser('ec2' if tag == 'Response' else 'query')
        parsed = parser.parse({'body': body, 'headers': {}, 'status_code': 400}, None)
        return {'service': service,
                'error': parsed['Error'],
                'request_id': parsed.get('ResponseMetadata', {}).get('RequestId')}
    if not tag.endswith('Response'):
        raise SystemExit(f'{path}: unexpected root {tag}')
    operation = tag[:-len('Response')]
    model = session.get_service_model(service)
    shape = model.operation_model(operation).output_shape
    parser = botocore.parsers.create_parser(model.protocol)
    parser._timestamp_parser = identity
    parser._blob_parser = identity
    parsed = parser.parse({'body': body, 'headers': {}, 'status_code': 200}, shape)
    meta = parsed.pop('ResponseMetadata', {})
    return {'service': service, 'operation': operation, 'request_id': meta.get('RequestId'),
            'output': compact(parsed, shape, service)}


def main():
    testdata = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get('VPCX_TESTDATA')
                or os.path.join(ROOT, 'tests', 'data'))
    src = os.path.join(testdata, 'ec2-xml')
    dest = os.path.join(ROOT, 'tests', 'data', 'xml-expected')
    session = botocore.session.get_session()
    count = 0
    for dirpath, _, files in sorted(os.walk(src)):
        for name in sorted(files):
            if not name.endswith('.xml'):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            doc = {'source': rel}
            doc.update(describe(path, session))
            out = os.path.join(dest, rel[:-len('.xml')] + '.json')
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, 'w', encoding='utf-8') as f:
                json.dump(doc, f, indent=2, sort_keys=True, ensure_ascii=False)
                f.write('\n')
            count += 1
    if not count:
        raise SystemExit(f'no XML files under {src}')
    print(f'{count} files -> {dest}')


if __name__ == '__main__':
    main()
