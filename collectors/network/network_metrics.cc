#include "network_metrics.h"

namespace vigil::network {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

double Load(const std::atomic<uint64_t>& a) { return static_cast<double>(a.load(kRelaxed)); }

}  // namespace

void NetworkMetrics::Publish(const PacketProcessor& processor) {
  const PacketCounters& c = processor.counters();
  packets_.store(c.packets, kRelaxed);
  bytes_.store(c.bytes, kRelaxed);
  ip_.store(c.ip, kRelaxed);
  not_ip_.store(c.not_ip, kRelaxed);
  malformed_.store(c.malformed, kRelaxed);
  for (size_t i = 0; i < kClasses; ++i) by_class_[i].store(c.by_class[i], kRelaxed);
  const FlowTableCounters& f = processor.flows().counters();
  flows_active_.store(processor.flows().size(), kRelaxed);
  flows_created_.store(f.created, kRelaxed);
  flows_ended_.store(f.ended, kRelaxed);
  flows_evicted_.store(f.evicted, kRelaxed);
  dns_parsed_.store(c.dns_parsed, kRelaxed);
  dns_malformed_.store(c.dns_malformed, kRelaxed);
  dns_not_inspected_.store(c.dns_not_inspected, kRelaxed);
  tls_parsed_.store(c.tls_parsed, kRelaxed);
  tls_malformed_.store(c.tls_malformed, kRelaxed);
  tls_not_inspected_.store(c.tls_not_inspected, kRelaxed);
  const LoginCounters& l = processor.logins().counters();
  for (size_t i = 0; i < kLoginProtocols; ++i) {
    login_parsed_[i].store(l.parsed[i], kRelaxed);
    login_malformed_[i].store(l.malformed[i], kRelaxed);
    login_not_inspected_[i].store(l.not_inspected[i], kRelaxed);
  }
  login_evicted_.store(l.evicted, kRelaxed);
  http_parsed_.store(c.http_parsed, kRelaxed);
  http_malformed_.store(c.http_malformed, kRelaxed);
  http_not_inspected_.store(c.http_not_inspected, kRelaxed);
  ssh_parsed_.store(c.ssh_parsed, kRelaxed);
  ssh_malformed_.store(c.ssh_malformed, kRelaxed);
  smb_parsed_.store(c.smb_parsed, kRelaxed);
  smb_malformed_.store(c.smb_malformed, kRelaxed);
  smb_not_inspected_.store(c.smb_not_inspected, kRelaxed);
}

void NetworkMetrics::PublishKernel(uint64_t received, uint64_t dropped, uint64_t if_dropped) {
  kernel_received_.store(received, kRelaxed);
  kernel_dropped_.store(dropped, kRelaxed);
  if_dropped_.store(if_dropped, kRelaxed);
}

void NetworkMetrics::Write(MetricWriter& out, const std::string& instance, bool live) const {
  const char* kPackets = "Frames read, by what the decoder made of them.";
  out.Counter("vigil_network_packets_total", kPackets, {{"collector", instance}, {"result", "ip"}},
              Load(ip_));
  out.Counter("vigil_network_packets_total", kPackets,
              {{"collector", instance}, {"result", "not_ip"}}, Load(not_ip_));
  out.Counter("vigil_network_packets_total", kPackets,
              {{"collector", instance}, {"result", "malformed"}}, Load(malformed_));
  for (size_t i = 1; i < kClasses; ++i) {  // 0 is kNone
    out.Counter("vigil_network_malformed_packets_total",
                "Malformed frames by class (counted, never trusted).",
                {{"collector", instance},
                 {"class", std::string(MalformedName(static_cast<Malformed>(i)))}},
                Load(by_class_[i]));
  }
  MetricLabels l = {{"collector", instance}};
  out.Counter("vigil_network_bytes_total", "Wire bytes of the frames read.", l, Load(bytes_));
  out.Gauge("vigil_network_flows_active", "Flows in the flow table now.", l, Load(flows_active_));
  out.Counter("vigil_network_flows_created_total", "Flows created.", l, Load(flows_created_));
  out.Counter("vigil_network_flows_ended_total", "Flows ended and reported.", l,
              Load(flows_ended_));
  out.Counter("vigil_network_flows_evicted_total",
              "Flows ended early because the table was at max_flows.", l, Load(flows_evicted_));
  const char* kApp = "Application payloads inspected, by protocol and result.";
  auto app = [&](const std::string& protocol, const char* result, const std::atomic<uint64_t>& value) {
    out.Counter("vigil_network_app_messages_total", kApp,
                {{"collector", instance}, {"protocol", protocol}, {"result", result}}, Load(value));
  };
  app("dns", "parsed", dns_parsed_);
  app("dns", "malformed", dns_malformed_);
  app("dns", "not_inspected", dns_not_inspected_);
  app("tls", "parsed", tls_parsed_);
  app("tls", "malformed", tls_malformed_);
  app("tls", "not_inspected", tls_not_inspected_);
  for (size_t i = 0; i < kLoginProtocols; ++i) {
    const std::string protocol(LoginProtocolName(static_cast<LoginProtocol>(i)));
    app(protocol, "parsed", login_parsed_[i]);
    app(protocol, "malformed", login_malformed_[i]);
    app(protocol, "not_inspected", login_not_inspected_[i]);
  }
  out.Counter("vigil_network_login_flows_evicted_total",
              "Login dialogues dropped because the login side table was full.", l,
              Load(login_evicted_));
  app("http", "parsed", http_parsed_);
  app("http", "malformed", http_malformed_);
  app("http", "not_inspected", http_not_inspected_);
  app("ssh", "parsed", ssh_parsed_);
  app("ssh", "malformed", ssh_malformed_);
  app("smb", "parsed", smb_parsed_);
  app("smb", "malformed", smb_malformed_);
  app("smb", "not_inspected", smb_not_inspected_);
  if (live) {
    out.Counter("vigil_capture_packets_received_total", "Packets the kernel passed to the capture.",
                l, Load(kernel_received_));
    out.Counter("vigil_capture_packets_dropped_total",
                "Packets dropped by the kernel (buffer full), from pcap_stats.", l,
                Load(kernel_dropped_));
    out.Counter("vigil_capture_interface_dropped_total",
                "Packets dropped by the interface or driver, from pcap_stats.", l,
                Load(if_dropped_));
  }
}

}  // namespace vigil::network
