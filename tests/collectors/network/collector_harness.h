// Runs a network collector (by registered type) from YAML to its end, capturing events
// and skips.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/diagnostic.h"

namespace vigil::network::testing {

class CollectorHarness : public EventSink {
 public:
  struct Skip {
    std::string where, reason;
  };

  explicit CollectorHarness(RunMode mode = RunMode::kReplay)
      : mode_(mode), ctx_("test", *this, mode, [this](std::string_view w, std::string_view r) {
          std::lock_guard lock(mu_);
          skips_.push_back({std::string(w), std::string(r)});
        }) {}

  bool Push(Event&& event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    return true;
  }

  // Builds the collector; returns the status of Create (diagnostics in diags()).
  Status Create(const std::string& type, const std::string& yaml) {
    const CollectorFactory* factory = CollectorRegistry::Global().Find(type);
    if (factory == nullptr) return Status::NotFound(type);
    ConfigSection section(YAML::Load(yaml), "test.yaml", diags_);
    auto c = factory->Create(section, CollectorEnv{type, "", mode_});
    if (!c.ok()) return c.status();
    collector_ = std::move(c).value();
    return Status::Ok();
  }
  Status Run() { return collector_->Run(ctx_); }
  const Collector& collector() const { return *collector_; }
  void Start() {
    thread_ = std::thread([this] { run_status_ = collector_->Run(ctx_); });
  }
  Status Stop() {
    ctx_.RequestStop();
    if (thread_.joinable()) thread_.join();
    return run_status_;
  }

  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<Skip> skips() const {
    std::lock_guard lock(mu_);
    return skips_;
  }
  const Diagnostics& diags() const { return diags_; }
  CollectorContext& ctx() { return ctx_; }

 private:
  RunMode mode_;
  mutable std::mutex mu_;
  std::vector<Event> events_;
  std::vector<Skip> skips_;
  Diagnostics diags_;
  CollectorContext ctx_;
  std::unique_ptr<Collector> collector_;
  std::thread thread_;
  Status run_status_;
};

}  // namespace vigil::network::testing
