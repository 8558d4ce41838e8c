#!/usr/bin/env python3
"""Writes the seed inputs of packet_decoder_fuzz and pcap_file_fuzz (hand-built packets).

Usage: tests/fuzz/make_network_seeds.py   (rewrites corpus/packet_decoder/ and
corpus/pcap_file/three-packets; the output is committed, this script documents it)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

ETH, SLL, SLL2, RAW, IPV4, IPV6, NULL, LOOP, HDLC, PPP = range(10)


def ip4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
    return struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0) + src + dst + payload


def ip6(nxt, payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), nxt, 64) + bytes(15) + b"\x01" + bytes(15) + b"\x02" + payload


def tcp(sport, dport, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, flags, 65535, 0, 0) + data


def udp(sport, dport, data=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def eth(ethertype, payload, tags=()):
    b = bytes(12)
    for tpid, tci in tags:
        b += struct.pack("!HH", tpid, tci)
    return b + struct.pack("!H", ethertype) + payload


SYN = ip4(6, tcp(40000, 443, 0x02))
SEEDS = {
    "eth_tcp_syn": (ETH, eth(0x0800, SYN)),
    "eth_qinq_udp": (ETH, eth(0x0800, ip4(17, udp(5353, 53, b"q")), [(0x88A8, 1), (0x8100, 2)])),
    "sll_tcp": (SLL, struct.pack("!HHH", 0, 1, 6) + bytes(8) + struct.pack("!H", 0x0800) + SYN),
    "sll2_ipv6_ext": (SLL2, struct.pack("!HHIHBB", 0x86DD, 0, 2, 1, 0, 6) + bytes(8)
                      + ip6(0, bytes([6, 0]) + bytes(6) + tcp(1, 2, 0x10, b"data"))),
    "raw_gre_eth": (RAW, ip4(47, b"\x00\x00\x65\x58" + eth(0x0800, SYN))),
    "raw_vxlan": (RAW, ip4(17, udp(5555, 4789, b"\x08\x00\x00\x00\x00\x00\x2a\x00" + eth(0x0800, SYN)))),
    "raw_gtp": (RAW, ip4(17, udp(2152, 2152, b"\x30\xff\x00\x00\x00\x00\x00\x01" + SYN))),
    "null_6in4": (NULL, b"\x02\x00\x00\x00" + ip4(41, ip6(17, udp(1, 2)))),
    "loop_icmp": (LOOP, b"\x00\x00\x00\x02" + ip4(1, b"\x08\x00\x00\x00\x00\x01\x00\x01")),
    "ipv4_fragment": (IPV4, struct.pack("!BBHHHBBH", 0x45, 0, 40, 1, 185, 64, 17, 0) + bytes(8) + bytes(20)),
    "ppp_tcp": (PPP, b"\xff\x03\x00\x21" + SYN),
    "hdlc_tcp": (HDLC, b"\x0f\x00\x08\x00" + SYN),
}


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(frame), len(frame)) + frame)


def main():
    out = os.path.join(HERE, "corpus", "packet_decoder")
    os.makedirs(out, exist_ok=True)
    for name, (link, frame) in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([link]) + frame)
    frames = [SEEDS[n][1] for n in ("eth_tcp_syn", "eth_qinq_udp")]
    frames.append(eth(0x0800, ip4(6, tcp(443, 40000, 0x12), src=b"\x0a\x00\x00\x02", dst=b"\x0a\x00\x00\x01")))
    os.makedirs(os.path.join(HERE, "corpus", "pcap_file"), exist_ok=True)
    write_pcap(os.path.join(HERE, "corpus", "pcap_file", "three-packets"), frames)


if __name__ == "__main__":
    main()
