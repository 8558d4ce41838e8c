#include "dns_parser.h"

#include <arpa/inet.h>

namespace vigil::network {
namespace {

constexpr size_t kHeader = 12;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// One label byte in presentation form: ASCII letters lower-cased, other printable ASCII as
// is (a dot or backslash inside a label escaped), anything else as \DDD (RFC 1035 5.1), so
// that a name is always printable ASCII.
void AppendByte(uint8_t c, std::string* name) {
  if (c >= 'A' && c <= 'Z') {
    name->push_back(static_cast<char>(c - 'A' + 'a'));
  } else if (c == '.' || c == '\\') {
    name->push_back('\\');
    name->push_back(static_cast<char>(c));
  } else if (c > 0x20 && c < 0x7F) {
    name->push_back(static_cast<char>(c));
  } else {
    name->push_back('\\');
    name->push_back(static_cast<char>('0' + c / 100));
    name->push_back(static_cast<char>('0' + c / 10 % 10));
    name->push_back(static_cast<char>('0' + c % 10));
  }
}

// Reads the name at `*pos`; on success `*pos` is just past the name in the message (past
// the first pointer if any). Pointers must point strictly before the label that holds them.
bool ReadName(const uint8_t* msg, size_t size, size_t* pos, std::string* name) {
  name->clear();
  size_t at = *pos;
  size_t after = 0;  // position after the first pointer; 0 while none was followed
  int pointers = 0;
  bool truncated_name = false;
  while (true) {
    if (at >= size) return false;
    const uint8_t len = msg[at];
    if ((len & 0xC0) == 0xC0) {
      if (at + 1 >= size) return false;
      const size_t target = static_cast<size_t>(len & 0x3F) << 8 | msg[at + 1];
      if (target >= at || ++pointers > kMaxDnsPointers) return false;
      if (after == 0) after = at + 2;
      at = target;
      continue;
    }
    if ((len & 0xC0) != 0) return false;  // 0x40 and 0x80 label types are obsolete
    if (len == 0) {
      *pos = after != 0 ? after : at + 1;
      return true;
    }
    if (at + 1 + len > size) return false;
    if (!truncated_name) {
      const size_t before = name->size();
      if (!name->empty()) name->push_back('.');
      for (size_t i = 0; i < len; ++i) AppendByte(msg[at + 1 + i], name);
      if (name->size() > kMaxDnsName) {
        name->resize(before);  // keep walking to find the end, but stop growing
        truncated_name = true;
      }
    }
    at += 1 + size_t{len};
  }
}

}  // namespace

DnsParse ParseDns(const uint8_t* data, size_t size, DnsMessage& out) {
  out = DnsMessage{};
  if (data == nullptr || size < kHeader) return DnsParse::kMalformed;
  out.id = Be16(data);
  out.response = (data[2] & 0x80) != 0;
  out.opcode = static_cast<uint8_t>(data[2] >> 3 & 0x0F);
  out.rcode = data[3] & 0x0F;
  const uint16_t qdcount = Be16(data + 4);
  const uint16_t ancount = Be16(data + 6);
  if (out.opcode > 6) return DnsParse::kMalformed;  // 3 and 7..15 are unassigned
  size_t pos = kHeader;
  for (uint16_t q = 0; q < qdcount; ++q) {
    std::string name;
    if (!ReadName(data, size, &pos, &name) || pos + 4 > size) {
      // Without a first question the message is not DNS we can use; a broken later one
      // ends the parse with what came before.
      return q == 0 ? DnsParse::kMalformed : DnsParse::kOk;
    }
    if (q == 0) {
      out.has_question = true;
      out.question_name = std::move(name);
      out.question_type = Be16(data + pos);
    }
    pos += 4;
  }
  // From here on a broken record ends the parse but keeps the question and the answers
  // before it (as tshark does): the message is still reported, with answers_complete false.
  out.answers_complete = false;
  for (uint16_t a = 0; a < ancount; ++a) {
    std::string owner;
    if (!ReadName(data, size, &pos, &owner) || pos + 10 > size) return DnsParse::kOk;
    const uint16_t type = Be16(data + pos);
    const uint16_t rdlen = Be16(data + pos + 8);
    pos += 10;
    if (pos + rdlen > size) return DnsParse::kOk;
    const uint8_t* rdata = data + pos;
    DnsAnswer answer;
    answer.type = type;
    char text[INET6_ADDRSTRLEN] = {};
    bool keep = true;
    if (type == 1) {  // A
      if (rdlen != 4) return DnsParse::kOk;
      inet_ntop(AF_INET, rdata, text, sizeof text);
      answer.data = text;
    } else if (type == 28) {  // AAAA
      if (rdlen != 16) return DnsParse::kOk;
      inet_ntop(AF_INET6, rdata, text, sizeof text);
      answer.data = text;
    } else if (type == 5 || type == 2 || type == 12) {  // CNAME, NS, PTR
      size_t name_pos = pos;
      // The name must end inside the record's own data.
      if (!ReadName(data, pos + rdlen, &name_pos, &answer.data)) return DnsParse::kOk;
    } else {
      keep = false;
    }
    if (keep && out.answers.size() < kMaxDnsAnswers) out.answers.push_back(std::move(answer));
    pos += rdlen;
  }
  // Authority and additional sections are not needed; their presence is not checked.
  out.answers_complete = true;
  return DnsParse::kOk;
}

DnsParse ParseDnsTcp(const uint8_t* data, size_t size, DnsMessage& out) {
  out = DnsMessage{};
  if (data == nullptr || size < 2) return DnsParse::kMalformed;
  const size_t len = Be16(data);
  if (len < kHeader) return DnsParse::kMalformed;
  if (len > size - 2) return DnsParse::kTruncated;
  return ParseDns(data + 2, len, out);
}

std::string DnsTypeName(uint16_t type) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 41: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    default: return std::to_string(type);
  }
}

std::string DnsRcodeName(uint8_t rcode) {
  switch (rcode) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    case 6: return "YXDOMAIN";
    case 7: return "YXRRSET";
    case 8: return "NXRRSET";
    case 9: return "NOTAUTH";
    case 10: return "NOTZONE";
    default: return std::to_string(rcode);
  }
}

}  // namespace vigil::network
