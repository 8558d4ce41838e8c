// Throughput of the rule engine: events/s through RuleSet::Evaluate on one thread.
//
// (a) Evaluate/N: N simple rules (`event.dataset = dsK and user.name = uI`, plus one string
//     test on the outcome), spread evenly over 10 datasets; the events cycle through the 10
//     datasets, so the index hands each event N/10 candidate rules. Cost should grow with
//     the rules that apply to an event, not with all rules.
// (b) EvaluateWide/N: the same rules spread over N/10 datasets (at least 10), events over
//     the same datasets: each event meets 10 candidates whatever N is, as when every
//     collector's dataset has its own rules. Shows what the index makes independent of N.
// (c) Correlation/G: one event_count correlation (group_by source.ip, 60 s, gte 10) over
//     events from G distinct addresses, 1 ms apart in event time; the group cap is 10,000,
//     so with G = 1,000,000 most groups are evicted (counted) and memory stays bounded.
//     Reports the groups held and the evictions.
//
// Events are built before the timed region. Alerts are cleared per event (their cost, a copy
// of the event per alert, is part of the figure: 1 in 8 events of (a) raises one alert).
// See RESULTS.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "vigil/ecs_fields.h"
#include "vigil/event.h"
#include "vigil/ip_address.h"
#include "vigil/rules/rule_set.h"

namespace vigil {
namespace {

constexpr int kDatasets = 10;
constexpr int kUsers = 8;
constexpr size_t kEvents = 1 << 14;

Event MakeEvent(int64_t seq, uint32_t ip, int datasets = kDatasets) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::milliseconds(1'795'000'000'000LL + seq)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, "ds" + std::to_string(seq % datasets));
  e.Set(ecs::kEventOutcome, std::string(seq % 5 == 0 ? "success" : "failure"));
  e.Set(ecs::kSourceIp, IpAddress::FromV4(ip));
  e.Set(ecs::kSourcePort, int64_t{30000 + seq % 30000});
  e.Set(ecs::kUserName, "u" + std::to_string(seq / datasets % kUsers));
  e.Set(ecs::kHostName, std::string("fin-app-01"));
  e.Set(ecs::kProcessName, std::string("sshd"));
  return e;
}

std::unique_ptr<RuleSet> Load(const std::string& yaml, const RuleOptions& options = {}) {
  Diagnostics diags;
  auto set = LoadRulesFromString(yaml, "bench.yaml", options, diags);
  if (!set.ok()) {
    std::fprintf(stderr, "%s", diags.FormatText().c_str());
    std::abort();
  }
  return std::move(*set);
}

// Rule i: dataset i % datasets, user i / datasets (users from kUsers on never match).
std::string SimpleRules(int n, int datasets) {
  std::string y;
  for (int i = 0; i < n; ++i) {
    y += "- rule: r" + std::to_string(i) + "\n  name: R\n  severity: low\n  condition: event.dataset = ds" +
         std::to_string(i % datasets) + " and user.name = u" + std::to_string(i / datasets) +
         " and event.outcome != unknown\n";
  }
  return y.empty() ? "[]\n" : y;
}

void RunEvaluate(benchmark::State& state, int datasets) {
  const int n = static_cast<int>(state.range(0));
  auto rules = Load(SimpleRules(n, datasets));
  std::vector<Event> events;
  for (size_t i = 0; i < kEvents; ++i) {
    events.push_back(MakeEvent(static_cast<int64_t>(i), 0xCB007100u + i % 250, datasets));
  }
  std::vector<Alert> out;
  size_t i = 0;
  uint64_t alerts = 0;
  for (auto _ : state) {
    out.clear();
    rules->Evaluate(events[i], out);
    alerts += out.size();
    i = (i + 1) % kEvents;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["alerts_per_event"] = static_cast<double>(alerts) / static_cast<double>(state.iterations());
}

void Evaluate(benchmark::State& state) { RunEvaluate(state, kDatasets); }
BENCHMARK(Evaluate)->Arg(0)->Arg(10)->Arg(100)->Arg(1000);

void EvaluateWide(benchmark::State& state) {
  RunEvaluate(state, std::max(kDatasets, static_cast<int>(state.range(0)) / 10));
}
BENCHMARK(EvaluateWide)->Arg(100)->Arg(1000);

void Correlation(benchmark::State& state) {
  const int64_t groups = state.range(0);
  auto rules = Load(R"(
- rule: ssh.brute
  name: Brute force
  severity: high
  condition: event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)");
  // Events are made on the fly (timestamps must grow), from a ring of prebuilt ones whose
  // time and address are rewritten: the rewrite is a small part of the cost.
  std::vector<Event> ring;
  for (size_t k = 0; k < 1024; ++k) ring.push_back(MakeEvent(static_cast<int64_t>(k), 0));
  std::vector<Alert> out;
  int64_t seq = 0;
  uint64_t alerts = 0;
  for (auto _ : state) {
    Event& e = ring[static_cast<size_t>(seq) % ring.size()];
    e.Set(ecs::kTimestamp, Timestamp(std::chrono::milliseconds(1'795'000'000'000LL + seq)));
    e.Set(ecs::kSourceIp, IpAddress::FromV4(0x0A000000u + static_cast<uint32_t>(seq % groups)));
    out.clear();
    rules->Evaluate(e, out);
    alerts += out.size();
    ++seq;
  }
  const RuleStateStats st = rules->state_stats()[0];
  state.SetItemsProcessed(state.iterations());
  state.counters["groups_held"] = static_cast<double>(st.groups);
  state.counters["evicted_groups"] = static_cast<double>(st.evicted_groups);
  state.counters["alerts"] = static_cast<double>(alerts);
}
BENCHMARK(Correlation)->Arg(100)->Arg(1'000'000);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
