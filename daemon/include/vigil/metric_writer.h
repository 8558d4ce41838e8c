// MetricWriter: how a component contributes Prometheus samples at scrape time.
//
// Metrics are pulled, as node_exporter's collectors do: at each scrape the metrics server
// asks every source to write its current values, which the source reads from its own
// atomic counters. The hot path pays nothing for metrics, and a series exists from the
// first scrape on (at 0), never only after the first event.
//
// Conventions (checked by `promtool check metrics` in the tests): names start with
// `vigil_`, base units (seconds, bytes), counters end in `_total`, and labels never carry
// unbounded values (no IP, user or path). Every sample of one family has the same label
// names. Threading: Write calls come from the metrics server's thread; sources must only
// read atomics or take their own locks.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

enum class MetricKind { kCounter, kGauge };

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// One histogram sample: `buckets[i]` counts observations <= `bounds[i]` (cumulative, as
// Prometheus wants); `count` and `sum` cover every observation (the +Inf bucket is `count`).
struct HistogramSample {
  std::vector<double> bounds;
  std::vector<uint64_t> buckets;
  uint64_t count = 0;
  double sum = 0;
};

class MetricWriter {
 public:
  virtual ~MetricWriter() = default;
  // Adds one sample to family `name` (created on first use with `help` and `kind`).
  virtual void Write(std::string_view name, std::string_view help, MetricKind kind,
                     const MetricLabels& labels, double value) = 0;

  // Adds one histogram sample to family `name`. Writers that cannot show histograms ignore it.
  virtual void Histogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                         const HistogramSample& sample) {
    (void)name, (void)help, (void)labels, (void)sample;
  }

  void Counter(std::string_view name, std::string_view help, const MetricLabels& labels,
               double value) {
    Write(name, help, MetricKind::kCounter, labels, value);
  }
  void Gauge(std::string_view name, std::string_view help, const MetricLabels& labels,
             double value) {
    Write(name, help, MetricKind::kGauge, labels, value);
  }
};

}  // namespace vigil
