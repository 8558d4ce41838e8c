// SampleWriter: a MetricWriter that keeps the last value of each sample, keyed
// "name{label=value,...}" (labels in the order written; "name{}" without labels), for tests
// that read a component's metrics without a metrics server.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "vigil/metric_writer.h"

namespace vigil::testing {

class SampleWriter : public MetricWriter {
 public:
  void Write(std::string_view name, std::string_view, MetricKind, const MetricLabels& labels,
             double value) override {
    std::string key(name);
    key += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      key += (i ? "," : "") + labels[i].first + "=" + labels[i].second;
    }
    key += '}';
    samples[key] = value;
  }
  // The sample's value, or -1 when it was not written.
  double Get(const std::string& key) const {
    auto it = samples.find(key);
    return it == samples.end() ? -1 : it->second;
  }
  std::map<std::string, double> samples;
};

}  // namespace vigil::testing
