#include "flow_oracle.h"

#include <optional>
#include <sstream>

#include "vigil/ecs_fields.h"
#include "vigil/ip_address.h"

namespace vigil::network::testing {
namespace {

constexpr size_t kMaxDifferences = 40;

// "1.2.3.4:80", "[2001:db8::1]:80" or "2001:db8::1:80" -> "1.2.3.4/80".
std::optional<std::string> Endpoint(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string ip = text.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  auto parsed = IpAddress::Parse(ip);
  if (!parsed) return std::nullopt;
  return parsed->ToString() + "/" + text.substr(colon + 1);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void AddConversation(Conversations& c, const std::string& transport, const std::string& src,
                     const std::string& dst, uint64_t src_packets, uint64_t dst_packets) {
  auto a = Endpoint(src);
  auto b = Endpoint(dst);
  if (!a || !b) return;
  const bool swap = *b < *a;
  Conversation& conv = c[transport + " " + (swap ? *b + " " + *a : *a + " " + *b)];
  conv.a_to_b += swap ? dst_packets : src_packets;
  conv.b_to_a += swap ? src_packets : dst_packets;
}

Conversations FromEvents(const std::vector<Event>& events) {
  Conversations c;
  for (const Event& e : events) {
    const std::string* transport = e.GetString(ecs::kNetworkTransport);
    if (!transport || (*transport != "tcp" && *transport != "udp")) continue;
    const IpAddress* sip = e.GetIp(ecs::kSourceIp);
    const IpAddress* dip = e.GetIp(ecs::kDestinationIp);
    const int64_t* sp = e.GetInt(ecs::kSourcePort);
    const int64_t* dp = e.GetInt(ecs::kDestinationPort);
    const int64_t* spk = e.GetInt(ecs::kSourcePackets);
    const int64_t* dpk = e.GetInt(ecs::kDestinationPackets);
    if (!sip || !dip || !sp || !dp || !spk || !dpk) continue;
    AddConversation(c, *transport, "[" + sip->ToString() + "]:" + std::to_string(*sp),
                    "[" + dip->ToString() + "]:" + std::to_string(*dp),
                    static_cast<uint64_t>(*spk), static_cast<uint64_t>(*dpk));
  }
  return c;
}

Conversations FromNdpiResult(const std::string& text) {
  // "\t12\tTCP 1.2.3.4:5 <-> 6.7.8.9:10 [proto: ...]...[3 pkts/180 bytes <-> 2 pkts/120 bytes]..."
  Conversations c;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 3 || line[0] != '\t' || !std::isdigit(static_cast<unsigned char>(line[1]))) {
      continue;
    }
    std::istringstream words(line);
    std::string number, proto, src, arrow, dst;
    words >> number >> proto >> src >> arrow >> dst;
    if ((proto != "TCP" && proto != "UDP") || (arrow != "<->" && arrow != "->")) continue;
    const size_t stats = line.find(" pkts/");
    if (stats == std::string::npos) continue;
    const size_t open = line.rfind('[', stats);
    const size_t back = line.find(" <-> ", stats);
    const size_t back_pkts = back == std::string::npos ? back : line.find(" pkts/", back);
    uint64_t sent = std::stoull(line.substr(open + 1, stats - open - 1));
    uint64_t received = 0;
    if (back_pkts != std::string::npos && back_pkts < line.find(']', stats)) {
      received = std::stoull(line.substr(back + 5, back_pkts - back - 5));
    }
    AddConversation(c, Lower(proto), src, dst, sent, received);
  }
  return c;
}

Conversations FromTsharkConv(const std::string& text) {
  // "A:p  <-> B:q  <frames B->A> <bytes> <unit> <frames A->B> <bytes> <unit> ..."
  Conversations c;
  std::string transport;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("TCP Conversations", 0) == 0) transport = "tcp";
    if (line.rfind("UDP Conversations", 0) == 0) transport = "udp";
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (transport.empty() || w.size() < 9 || w[1] != "<->") continue;
    try {
      const uint64_t b_to_a = std::stoull(w[3]);
      const uint64_t a_to_b = std::stoull(w[6]);
      AddConversation(c, transport, w[0], w[2], a_to_b, b_to_a);
    } catch (const std::exception&) {
      continue;
    }
  }
  return c;
}

Agreement Compare(const Conversations& vigil, const Conversations& reference) {
  Agreement a;
  a.reference = reference.size();
  for (const auto& [key, ref] : reference) {
    auto it = vigil.find(key);
    if (it == vigil.end()) {
      if (a.differences.size() < kMaxDifferences) a.differences.push_back("missing " + key);
      continue;
    }
    ++a.same_tuple;
    if (it->second.a_to_b == ref.a_to_b && it->second.b_to_a == ref.b_to_a) {
      ++a.same_packets;
    } else if (a.differences.size() < kMaxDifferences) {
      a.differences.push_back("packets " + key + ": vigil " + std::to_string(it->second.a_to_b) +
                              "/" + std::to_string(it->second.b_to_a) + ", reference " +
                              std::to_string(ref.a_to_b) + "/" + std::to_string(ref.b_to_a));
    }
  }
  for (const auto& [key, conv] : vigil) {
    if (reference.count(key) == 0) {
      ++a.extra;
      if (a.differences.size() < kMaxDifferences) a.differences.push_back("extra " + key);
    }
  }
  return a;
}

}  // namespace vigil::network::testing
