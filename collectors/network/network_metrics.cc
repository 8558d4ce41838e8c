#include "network_metrics.h"

namespace vigil::network {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

double Load(const std::atomic<uint64_t>& a) { return static_cast<double>(a.load(kRelaxed)); }

}  // namespace

void NetworkMetrics::AppSeries::Store(uint64_t p, uint64_t m, uint64_t n) {
  parsed.store(p, kRelaxed);
  malformed.store(m, kRelaxed);
  not_inspected.store(n, kRelaxed);
}

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
  dns_.Store(c.dns_parsed, c.dns_malformed, c.dns_not_inspected);
  tls_.Store(c.tls_parsed, c.tls_malformed, c.tls_not_inspected);
  const LoginCounters& l = processor.logins().counters();
  for (size_t i = 0; i < kLoginProtocols; ++i) {
    login_[i].Store(l.parsed[i], l.malformed[i], l.not_inspected[i]);
  }
  login_evicted_.store(l.evicted, kRelaxed);
  http_.Store(c.http_parsed, c.http_malformed, c.http_not_inspected);
  ssh_.Store(c.ssh_parsed, c.ssh_malformed, 0);
  smb_.Store(c.smb_parsed, c.smb_malformed, c.smb_not_inspected);
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
  // SSH has no not_inspected series: its banner is parsed from the first segment or counted
  // malformed.
  auto app = [&](const std::string& protocol, const AppSeries& series, bool not_inspected = true) {
    auto one = [&](const char* result, const std::atomic<uint64_t>& value) {
      out.Counter("vigil_network_app_messages_total", kApp,
                  {{"collector", instance}, {"protocol", protocol}, {"result", result}}, Load(value));
    };
    one("parsed", series.parsed);
    one("malformed", series.malformed);
    if (not_inspected) one("not_inspected", series.not_inspected);
  };
  app("dns", dns_);
  app("tls", tls_);
  for (size_t i = 0; i < kLoginProtocols; ++i) {
    app(std::string(LoginProtocolName(static_cast<LoginProtocol>(i))), login_[i]);
  }
  out.Counter("vigil_network_login_flows_evicted_total",
              "Login dialogues dropped because the login side table was full.", l,
              Load(login_evicted_));
  app("http", http_);
  app("ssh", ssh_, false);
  app("smb", smb_);
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
