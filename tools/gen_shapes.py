#!/usr/bin/env python3
"""Generate src/aws/shapes_gen.c: the output shapes of the EC2/STS/CloudWatch operations vpcx calls.

Reads botocore's service models from the installed botocore (the same loader the AWS CLI
uses, so the newest API version and its sdk-extras), walks every output shape reachable from
the operations below and writes static const tables: shapes, members, operations.

XML names follow botocore/parsers.py (QueryParser, EC2QueryParser):
  - a structure member is found by its serialization name (the model's locationName),
    else by its member name;
  - lists are wrapped (<xxxSet><item>...</item></xxxSet>) and every child of the wrapper is
    an item whatever its name; the item name ("item" for ec2, "member" for query) is recorded
    for reference;
  - an operation's output may be wrapped in <resultWrapper> (query protocol).
Flattened lists, maps and XML attributes are not reachable from these operations; the script
fails if a model update makes them so, rather than generate a table the parser mishandles.

Usage: python3 tools/gen_shapes.py [output.c]   (default: src/aws/shapes_gen.c)
The output is deterministic for a given botocore version.
"""

import os
import sys

import botocore
import botocore.session

OPERATIONS = [
    ('ec2', 'DescribeVpcs'),
    ('ec2', 'DescribeSubnets'),
    ('ec2', 'DescribeAvailabilityZones'),
    ('ec2', 'DescribeVpcEndpoints'),
    ('ec2', 'DescribeVpcEndpointServices'),
    ('ec2', 'DescribeNetworkInterfaces'),
    ('ec2', 'DescribeSecurityGroups'),
    ('ec2', 'DescribeNetworkAcls'),
    ('ec2', 'DescribeRouteTables'),
    ('ec2', 'DescribePrefixLists'),
    ('ec2', 'DescribeFlowLogs'),
    ('ec2', 'DescribeVpcAttribute'),
    ('ec2', 'DescribeRegions'),
    ('ec2', 'CreateVpcEndpoint'),
    ('ec2', 'ModifyVpcEndpoint'),
    ('ec2', 'DeleteVpcEndpoints'),
    ('sts', 'GetCallerIdentity'),
    ('sts', 'AssumeRole'),
    ('sts', 'AssumeRoleWithWebIdentity'),
    ('monitoring', 'GetMetricData'),
]

# The table's service name -> (botocore's model name, the protocol vpcx speaks). CloudWatch's
# model is "cloudwatch", signed and routed as "monitoring"; botocore now prefers its CBOR
# protocol, but the Query protocol (2010-08-01) is still served and is what vpcx sends.
MODELS = {'monitoring': ('cloudwatch', 'query')}

# Members whose text never holds meaningful whitespace anywhere: the converter removes all
# of it (the STS API reference sample wraps SessionToken over several indented lines; a
# token with a newline in it would break the signed header).
COMPACT_MEMBERS = {
    ('sts', 'Credentials', 'AccessKeyId'),
    ('sts', 'Credentials', 'SecretAccessKey'),
    ('sts', 'Credentials', 'SessionToken'),
}

TYPES = ['structure', 'list', 'map', 'string', 'boolean', 'integer', 'long', 'double', 'float',
         'timestamp', 'blob']
SCALARS = set(TYPES) - {'structure', 'list', 'map'}


class Table:
    def __init__(self):
        self.shapes = []  # dicts, index = position
        self.index = {}  # (service, shape name, wrapper) -> index
        self.members = []

    def add(self, service, shape, wrapper=None):
        key = (service, shape.name, wrapper)
        if key in self.index:
            return self.index[key]
        t = shape.type_name
        if t not in TYPES:
            raise SystemExit(f'{service}:{shape.name}: unsupported type {t}')
        if t == 'map':
            raise SystemExit(f'{service}:{shape.name}: maps are not supported by xml.c')
        if shape.serialization.get('flattened'):
            raise SystemExit(f'{service}:{shape.name}: flattened lists are not supported')
        idx = len(self.shapes)
        entry = {'name': shape.name, 'type': t, 'wrapper': wrapper, 'first': 0, 'count': 0,
                 'child': 0, 'item_xml': None}
        self.shapes.append(entry)
        self.index[key] = idx
        if t == 'structure':
            self._add_members(service, shape, entry)
        elif t == 'list':
            member = shape.member
            entry['item_xml'] = member.serialization.get('name') or (
                'item' if service_protocol(service) == 'ec2' else 'member')
            entry['child'] = self.add(service, member)
        return idx

    def _add_members(self, service, shape, entry):
        rows = []
        for name, mshape in shape.members.items():
            ser = mshape.serialization
            if ser.get('xmlAttribute') or ser.get('flattened'):
                raise SystemExit(f'{service}:{shape.name}.{name}: attribute/flattened member')
            if ser.get('location') in ('header', 'headers', 'statusCode'):
                continue
            flags = 1 if (service, shape.name, name) in COMPACT_MEMBERS else 0
            rows.append([name, ser.get('name') or name, mshape, flags])
        # Reserve the member rows first: recursion appends other shapes' members.
        entry['first'] = len(self.members)
        entry['count'] = len(rows)
        self.members.extend([None] * len(rows))
        for i, (name, xml_name, mshape, flags) in enumerate(rows):
            self.members[entry['first'] + i] = (name, xml_name, self.add(service, mshape), flags)


_PROTOCOLS = {}


def service_protocol(service):
    return _PROTOCOLS[service]


def c_str(s):
    if s is None:
        return 'NULL'
    if any(c in s for c in '"\\\n') or not s.isprintable():
        raise SystemExit(f'unexpected character in name {s!r}')
    return f'"{s}"'


def item_list_of(table, out_idx):
    """JSON name of the output's only list member (the one a caller streams), else None."""
    shape = table.shapes[out_idx]
    lists = [table.members[shape['first'] + i] for i in range(shape['count'])
             if table.shapes[table.members[shape['first'] + i][2]]['type'] == 'list']
    return lists[0][0] if len(lists) == 1 else None


def render(table, ops):
    out = []
    w = out.append
    w('/*')
    w(f' * GENERATED by tools/gen_shapes.py from botocore {botocore.__version__} '
      f'(ec2 {ops["ec2"]}, sts {ops["sts"]}, monitoring {ops["monitoring"]}).')
    w(' * Do not edit. Regenerate: python3 tools/gen_shapes.py && clang-format -i '
      'src/aws/shapes_gen.c')
    w(' */')
    w('#include "vpcx/aws/shapes.h"')
    w('')
    w('#include <stddef.h>')
    w('#include <string.h>')
    w('')
    w('static const struct aws_member members[] = {')
    for name, xml_name, shape, flags in table.members:
        w(f'    {{{c_str(name)}, {c_str(xml_name)}, {shape}, {flags}}},')
    w('};')
    w('')
    w('static const struct aws_shape shapes[] = {')
    for s in table.shapes:
        t = 'AWS_SHAPE_' + s['type'].upper()
        w(f'    {{{c_str(s["name"])}, {t}, {s["count"]}, {s["first"]}, {s["child"]}, '
          f'{c_str(s["item_xml"])}, {c_str(s["wrapper"])}}},')
    w('};')
    w('')
    w('static const struct aws_operation operations[] = {')
    for service, op, idx, item_list in table.ops:
        w(f'    {{{c_str(service)}, {c_str(op)}, {idx}, {c_str(item_list)}}},')
    w('};')
    w('')
    w(RUNTIME)
    return '\n'.join(out)


RUNTIME = r'''#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct aws_operation *aws_operation_find(const char *service, const char *operation)
{
    for (size_t i = 0; i < COUNT(operations); i++) {
        if (strcmp(operations[i].service, service) == 0 &&
            strcmp(operations[i].name, operation) == 0)
            return &operations[i];
    }
    return NULL;
}

const struct aws_shape *aws_shape_output(const char *service, const char *operation)
{
    const struct aws_operation *op = aws_operation_find(service, operation);
    return op ? &shapes[op->output] : NULL;
}

const struct aws_shape *aws_shape_get(unsigned index)
{
    return index < COUNT(shapes) ? &shapes[index] : NULL;
}

const struct aws_member *aws_shape_member(const struct aws_shape *shape, unsigned i)
{
    if (shape->type != AWS_SHAPE_STRUCTURE || i >= shape->member_count)
        return NULL;
    return &members[shape->first_member + i];
}

const struct aws_member *aws_shape_find_xml(const struct aws_shape *shape, const char *xml_name)
{
    for (unsigned i = 0; shape->type == AWS_SHAPE_STRUCTURE && i < shape->member_count; i++) {
        if (strcmp(members[shape->first_member + i].xml_name, xml_name) == 0)
            return &members[shape->first_member + i];
    }
    return NULL;
}

const struct aws_member *aws_shape_find_json(const struct aws_shape *shape, const char *json_name)
{
    for (unsigned i = 0; shape->type == AWS_SHAPE_STRUCTURE && i < shape->member_count; i++) {
        if (strcmp(members[shape->first_member + i].json_name, json_name) == 0)
            return &members[shape->first_member + i];
    }
    return NULL;
}

unsigned aws_shape_member_index(const struct aws_shape *shape, const struct aws_member *member)
{
    return (unsigned)(member - &members[shape->first_member]);
}

const struct aws_shape *aws_shape_list_item(const struct aws_shape *list)
{
    return list->type == AWS_SHAPE_LIST ? &shapes[list->child] : NULL;
}
'''


def main():
    dest = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'aws', 'shapes_gen.c')
    session = botocore.session.get_session()
    table = Table()
    table.ops = []
    versions = {}
    for service, op in OPERATIONS:
        model_name, protocol = MODELS.get(service, (service, None))
        model = session.get_service_model(model_name)
        if protocol and protocol not in model.metadata.get('protocols', [model.protocol]):
            raise SystemExit(f'{model_name}: protocol {protocol} no longer in the model')
        _PROTOCOLS[service] = protocol or model.protocol
        versions[service] = model.api_version
        out = model.operation_model(op).output_shape
        if out is None:
            raise SystemExit(f'{service}:{op}: no output shape')
        idx = table.add(service, out, out.serialization.get('resultWrapper'))
        table.ops.append((service, op, idx, item_list_of(table, idx)))
    if len(table.shapes) > 65535 or len(table.members) > 65535:
        raise SystemExit('table too large for unsigned short indices')
    with open(dest, 'w', encoding='utf-8') as f:
        f.write(render(table, versions) + '\n')
    print(f'{dest}: {len(table.shapes)} shapes, {len(table.members)} members, '
          f'{len(table.ops)} operations (botocore {botocore.__version__})')


if __name__ == '__main__':
    main()
