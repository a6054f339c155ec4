#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Regenerate the seed corpora of test/fuzz/corpus/ (kept in the repo).

  make_seeds.py PKI_TOOL          (PKI_TOOL: a built test/lab/pki_tool)

Sources, each seed prefixed with its target's mode octet (see fuzz_*.c):
  ike    IKE_SA_INIT of test/unit/test_ike_msg.c (init_req), as a datagram;
         IKE_AUTH / CREATE_CHILD_SA / INFORMATIONAL inner payload chains
         (IDi, CERTREQ, AUTH, SA, TSi, TSr, N, D, CP) for the sealed modes.
  ikev1  the strongSwan 5.9.8 exchanges of test/unit/ikev1_swan_capture.h:
         every datagram as it was on the wire, and each encrypted one
         decrypted with the capture's Ka and IVs (parse_plain and sealed).
  esp    sealed ESP payloads (an inner IPv4/IPv6 packet inside the SA's
         selectors, RFC 4303 padding, next header) for each SA variant,
         and raw ESP headers.
  crl    CRLs written by test/lab/pki_tool (DER and PEM; complete, delta,
         with revoked entries and reasons), plain and sealed modes.
  cfg    cfg/ipsecgw.conf and the lab's configuration templates.
  tm     telemetry parameters of every handler.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, 'corpus')


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def c_array(path, name):
    text = open(path).read()
    m = re.search(r'static const uint8_t ' + name + r'\[\] = \{(.*?)\};', text, re.S)
    body = re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S)
    return bytes(int(t, 0) for t in re.findall(r'0x[0-9a-fA-F]+|\d+', body))


def pl(nxt, body, crit=0):
    return struct.pack('>BBH', nxt, crit, 4 + len(body)) + body


def chain(pls):
    """[(type, body)] -> (first type, bytes) with Next Payload chained."""
    b = b''
    for i, (_, body) in enumerate(pls):
        nxt = pls[i + 1][0] if i + 1 < len(pls) else 0
        b += pl(nxt, body)
    return pls[0][0], b


def ike_seeds():
    init_req = c_array(os.path.join(ROOT, 'test/unit/test_ike_msg.c'), 'init_req')
    out('ike', 'init_req', b'\x00' + init_req)
    xf = lambda last, t, i, attr=b'': struct.pack('>BBHBBH', 0 if last else 3, 0,
                                                  8 + len(attr), t, 0, i) + attr
    esp_prop = (xf(0, 1, 20, b'\x80\x0e\x01\x00') + xf(0, 1, 12, b'\x80\x0e\x00\x80') +
                xf(0, 3, 12) + xf(1, 5, 0))
    sa_esp = struct.pack('>BBHBBBB', 0, 0, 8 + 4 + len(esp_prop), 1, 3, 4, 4) + \
        b'\xc0\x01\x02\x03' + esp_prop
    ts4 = lambda a, b: struct.pack('>BBHHH', 7, 0, 16, 0, 65535) + bytes(a) + bytes(b)
    ts6 = struct.pack('>BBHHH', 8, 6, 40, 0, 65535) + bytes(16) + b'\xff' * 16
    tsi = struct.pack('>B3x', 2) + ts4([192, 168, 10, 0], [192, 168, 10, 255]) + ts6
    tsr = struct.pack('>B3x', 1) + ts4([172, 16, 1, 0], [172, 16, 1, 255])
    idi = bytes([2, 0, 0, 0]) + b'swan1.example'
    auth = bytes([14, 0, 0, 0]) + bytes([7]) + bytes(range(6)) + bytes(64)
    certreq = bytes([4]) + bytes(range(20))
    n_ipcomp = struct.pack('>BBH', 0, 0, 16388) + bytes(20)
    n_rekey = struct.pack('>BBH', 3, 4, 16393) + b'\xc0\x01\x02\x03'
    d_esp = struct.pack('>BBH', 3, 4, 2) + b'\xc0\x01\x02\x03\xc0\x01\x02\x04'
    d_ike = struct.pack('>BBH', 1, 0, 0)
    cp = bytes([1, 0, 0, 0]) + struct.pack('>HH', 1, 0)
    nonce = bytes(range(32))
    ke = struct.pack('>HH', 19, 0) + bytes(64)
    seqs = {
        'auth_req': [(35, idi), (38, certreq), (39, auth), (47, cp), (33, sa_esp),
                     (44, tsi), (45, tsr), (41, n_ipcomp)],
        'child_rekey': [(41, n_rekey), (33, sa_esp), (40, nonce), (34, ke), (44, tsi),
                        (45, tsr)],
        'delete': [(42, d_esp), (42, d_ike)],
        'empty_info': [(41, struct.pack('>BBH', 0, 0, 16430))],
    }
    for name, pls in seqs.items():
        first, b = chain(pls)
        for mode, suffix in ((2, 'sk'), (3, 'skf')):
            for suite in range(4):
                out('ike', '%s_%s%u' % (name, suffix, suite),
                    bytes([mode | suite << 2, first]) + b)


def hexs(text, field):
    m = re.search(r'\.' + field + r' = ((?:\s*"[0-9a-f]*")+)', text)
    return bytes.fromhex(''.join(re.findall(r'"([0-9a-f]*)"', m.group(1))))


def ikev1_seeds():
    text = open(os.path.join(ROOT, 'test/unit/ikev1_swan_capture.h')).read()
    for cap in re.findall(r'static const struct ikev1_swan_dgram (\w+)_dgrams\[\] = \{(.*?)\n\};',
                          text, re.S):
        name, body = cap
        dgrams = [bytes.fromhex(''.join(re.findall(r'"([0-9a-f]*)"', d)))
                  for d in re.findall(r"\{ '[IR]',((?:\s*\"[0-9a-f]*\")+) \}", body)]
        cm = re.search(r'static const struct ikev1_swan_capture ' + name +
                       r' = \{(.*?)\n\};', text, re.S)
        info = cm.group(1)
        ka = hexs(info, 'ka')
        ivs = [hexs(info, f) for f in ('iv1', 'iv_mm5', 'iv_mm6')]
        ivm = re.search(r'\.iv_qm = \{(.*?)\}', info, re.S)
        ivs += [bytes.fromhex(h) for h in re.findall(r'"([0-9a-f]+)"', ivm.group(1))]
        ivs += [d[-16:] for d in dgrams if d[19] & 1]	# App. B chaining
        short = name.replace('ikev1_swan_', '')
        for i, d in enumerate(dgrams):
            out('ikev1', '%s_%02u' % (short, i), b'\x00' + d)
            if not d[19] & 1:
                continue
            for iv in ivs:
                dec = Cipher(algorithms.AES(ka), modes.CBC(iv)).decryptor()
                plain = dec.update(d[28:]) + dec.finalize()
                ln = struct.unpack('>H', plain[2:4])[0]
                if plain[1] == 0 and 4 <= ln <= len(plain):
                    out('ikev1', '%s_%02u_plain' % (short, i), b'\x01' + d[:28] + plain)
                    last = len(plain.rstrip(b'\x00'))
                    out('ikev1', '%s_%02u_sealed' % (short, i),
                        b'\x02' + bytes([d[16]]) + plain[:max(last, 4)])
                    break


def ip4(src, dst, payload, proto=17):
    h = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 63, proto, 0,
                    bytes(src), bytes(dst))
    s = sum(struct.unpack('>10H', h))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return h[:10] + struct.pack('>H', ~s & 0xffff) + h[12:] + payload


def esp_seeds():
    udp = struct.pack('>HHHH', 1234, 53, 8 + 16, 0) + bytes(range(16))
    in4 = ip4([192, 168, 10, 5], [172, 16, 1, 9], udp)
    in6 = (struct.pack('>IHBB', 6 << 28, len(udp), 17, 63) +
           bytes.fromhex('20010db8002000000000000000000005') +
           bytes.fromhex('20010db8003000000000000000000009') + udp)
    for var, align in ((0, 4), (1, 16), (3, 4)):
        for name, inner, nh in (('v4', in4, 4), ('v6', in6, 41)):
            n = len(inner) + 2
            pad = (align - n % align) % align
            pt = inner + bytes(range(1, pad + 1)) + bytes([pad, nh])
            out('esp', 'sealed_var%u_%s' % (var, name),
                bytes([4 | var]) + struct.pack('>I', 1) + pt)
        out('esp', 'sealed_var%u_dummy' % var,
            bytes([4 | var]) + struct.pack('>I', 2) + bytes(align - 2) + bytes([0, 59]))
    for var in range(4):
        out('esp', 'raw_var%u' % var,
            bytes([var]) + struct.pack('>II', 0x1001, 1) + bytes(range(64)))


def crl_seeds(tool):
    with tempfile.TemporaryDirectory() as d:
        def run(*a):
            subprocess.run([tool] + list(a), check=True, stdout=subprocess.DEVNULL)
        run('init', d, '--ca-key', 'ec', '--tag', 'FUZZ')
        crls = {
            'inter_empty': ['inter'],
            'inter_revoked': ['inter', '--number', '7', '--revoke',
                              '0x1001:1,0x1002,4096:6,0x123456789abcdef:4'],
            'inter_delta': ['inter', '--number', '9', '--delta', '7', '--revoke', '0x2000:5'],
            'root_noakid': ['root', '--no-akid', '--revoke', '2'],
            'inter_nonumber': ['inter', '--no-number'],
        }
        for name, args in crls.items():
            for pem in (False, True):
                f = os.path.join(d, name + ('.pem' if pem else '.der'))
                run('crl', d, args[0], f, *(args[1:] + (['--pem'] if pem else [])))
                body = open(f, 'rb').read()
                ext = 'pem' if pem else 'der'
                out('crl', '%s_%s' % (name, ext), b'\x00' + body)
                out('crl', '%s_%s_sealed' % (name, ext), bytes([1 | (4 if pem else 0)]) + body)
                out('crl', '%s_%s_sealed_noakid' % (name, ext),
                    bytes([3 | (4 if pem else 0)]) + body)


def cfg_seeds():
    for src in ('cfg/ipsecgw.conf', 'test/lab/gw.conf.in', 'test/lab/gw-pki.conf.in',
                'test/lab/pcap.conf.in', 'test/lab/knobs.conf.in'):
        out('cfg', os.path.basename(src), open(os.path.join(ROOT, src), 'rb').read())


def tm_seeds():
    params = ['', '0', '1', '5', '18446744073709551615', '18446744073709551616', 'id=1',
              'remote=10.0.0.2', 'remote=2001:db8::1', 'child=0xc0010203', 'child=3221291523',
              'lab1', '-1', '+1', ' 1', '1,2']
    for h in range(21):
        for i in range(4):
            p = params[(h * 4 + i) % len(params)] if i else ''
            out('tm', 'h%02u_%u' % (h, i), bytes([h]) + p.encode())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ike_seeds()
    ikev1_seeds()
    esp_seeds()
    crl_seeds(sys.argv[1])
    cfg_seeds()
    tm_seeds()


if __name__ == '__main__':
    main()
