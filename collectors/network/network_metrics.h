// NetworkMetrics: what the pcap and capture collectors show on /metrics.
//
// The packet path keeps plain counters (PacketProcessor, FlowTable); the collector thread
// copies them here every few thousand frames and when it stops (Publish), and the metrics
// thread reads these atomics at scrape time. Every series exists from the first scrape on.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "packet_decoder.h"
#include "packet_processor.h"
#include "vigil/metric_writer.h"

namespace vigil::network {

class NetworkMetrics {
 public:
  // Collector thread: copies the processor's and its flow table's counters.
  void Publish(const PacketProcessor& processor);
  // Collector thread (capture): the kernel's counters from pcap_stats, widened to 64 bits.
  void PublishKernel(uint64_t received, uint64_t dropped, uint64_t if_dropped);
  // Metrics thread. `live` adds the kernel series.
  void Write(MetricWriter& out, const std::string& instance, bool live) const;

 private:
  static constexpr size_t kClasses = static_cast<size_t>(Malformed::kCount);
  std::atomic<uint64_t> packets_{0}, bytes_{0}, ip_{0}, not_ip_{0}, malformed_{0};
  std::array<std::atomic<uint64_t>, kClasses> by_class_{};
  std::atomic<uint64_t> flows_active_{0}, flows_created_{0}, flows_ended_{0}, flows_evicted_{0};
  // One protocol's vigil_network_app_messages_total series.
  struct AppSeries {
    std::atomic<uint64_t> parsed{0}, malformed{0}, not_inspected{0};
    void Store(uint64_t p, uint64_t m, uint64_t n);
  };
  AppSeries dns_, tls_, http_, ssh_, smb_;
  std::array<AppSeries, kLoginProtocols> login_{};
  std::atomic<uint64_t> login_evicted_{0};
  std::atomic<uint64_t> kernel_received_{0}, kernel_dropped_{0}, if_dropped_{0};
};

}  // namespace vigil::network
