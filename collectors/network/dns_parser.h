// DNS message parser for the network collector (application metadata).
//
// Parses one DNS message (RFC 1035) from a UDP payload, or from the start of a TCP segment
// that carries the 2-byte length prefix. The input is hostile: every length and offset is
// checked against the buffer, compression pointers may only point backwards (which makes
// loops impossible) and a name may follow at most kMaxDnsPointers of them, names are cut at
// kMaxDnsName characters, and at most kMaxDnsAnswers answers are kept. Names are printable ASCII:
// letters lower-cased, other bytes outside 0x21..0x7E (and '.', '\\' inside a label) as
// \DDD / \. escapes (RFC 1035 presentation form).
//
// A message is kMalformed when its header or first question does not hold; a broken later
// question or answer record ends the parse with kOk, what came before it, and
// answers_complete false.
//
// Threading: pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::network {

inline constexpr int kMaxDnsPointers = 16;
// A name is at most 255 bytes on the wire, at most 4 characters each when escaped.
inline constexpr size_t kMaxDnsName = 1024;
inline constexpr size_t kMaxDnsAnswers = 32;

struct DnsAnswer {
  uint16_t type = 0;
  std::string data;  // A/AAAA: the address as text; CNAME/NS/PTR: the name; else empty
};

struct DnsMessage {
  uint16_t id = 0;
  bool response = false;
  uint8_t opcode = 0;
  uint8_t rcode = 0;
  bool has_question = false;
  std::string question_name;  // lower case as sent, no trailing dot; "" for the root
  uint16_t question_type = 0;
  std::vector<DnsAnswer> answers;  // A, AAAA, CNAME, NS, PTR of the answer section
  bool answers_complete = false;   // false: a broken record ended the parse early
};

enum class DnsParse : uint8_t {
  kOk,
  kMalformed,  // not a DNS message, or one whose lengths do not hold
  kTruncated,  // TCP: the length prefix claims more than the segment holds
};

// Parses a DNS message from `data` (a UDP payload).
DnsParse ParseDns(const uint8_t* data, size_t size, DnsMessage& out);
// Parses the first DNS message of a TCP segment (2-byte big-endian length, then message).
DnsParse ParseDnsTcp(const uint8_t* data, size_t size, DnsMessage& out);

// "A", "AAAA", "CNAME", ... or the number as text.
std::string DnsTypeName(uint16_t type);
// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", ... or the number as text.
std::string DnsRcodeName(uint8_t rcode);

}  // namespace vigil::network
