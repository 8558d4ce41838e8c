// Throughput of the rule engine: events/s through RuleSet::Evaluate on one thread.
//
// The event stream (all benchmarks but Correlation) cycles through 10 datasets; each event
// carries one of 50 event.action values of its dataset (a0..a49, cycling), an outcome (1 in
// 5 success), one of 8 users, an address, a port, a host and a process name.
//
// (a) Evaluate/N: N rules spread as the shipped packs are (rules/packs: 62 of 83 rules name
//     event.action values, 40 actions for 82 (rule, action) pairs, about 2 rules per action):
//     rule i is on dataset i % 10 and requires one action (every 5th rule: `in` two actions),
//     two rules per action, so a dataset's N/10 rules cover its first N/20 actions; plus a
//     user and an outcome test. A larger pack covers more of the actions events carry,
//     rather than piling more rules on the same ones.
//     EvaluateNoActionIndex/N: the same rules with the action test hidden from the index
//     (`not (not event.action in (...))`): what the index by dataset alone gives them.
//     EvaluateDropped/N and EvaluateHandedOver/N: the rules of (a), each event freed after
//     its evaluation as the pipeline frees it, either kept by the caller (Evaluate(const
//     Event&): the alerts share one copy) or handed over as the engine thread does
//     (Evaluate(Event&&): an event that fires is moved into its alerts, not copied). The
//     stream is re-made outside the timed region when it wraps.
// (b) EvaluateMixed/N: the same, but the rules of 2 of the 10 datasets (20% of the rules,
//     like the packs' network.flow rules) name no action: an event of those datasets meets
//     all of them, N/10 per dataset. The index cannot narrow these further.
//     EvaluateMixedHandedOver/N: the same rules, each event handed over as the engine thread
//     does (Evaluate(Event&&)): what the daemon pays for them.
// (c) EvaluateDatasetOnly/N: N rules `event.dataset = dsK and user.name = uI and
//     event.outcome != unknown` (no action) over the 10 datasets: each event meets N/10
//     candidates. This was Evaluate/N before the index knew event.action.
// (d) EvaluateWide/N: the rules of (c) spread over N/10 datasets (at least 10), events over
//     the same datasets: each event meets 10 candidates whatever N is.
// (h) EvaluateRareAlerts/N, EvaluateRareAlertsHandedOver/N, EvaluateMixedRareAlerts/N: the
//     rules of (a) (of (b) for the last) with one more test, `source.port >= 46220`, which
//     the index cannot see and about 1 event in 100 of the stream passes (ports
//     30000-46383): the same candidates per event as (a) and (b), but alerts at a
//     deployment's rate (under 1% of events) instead of 3-30% (a) or 27-274% (b). What
//     1000 rules cost over 100 when the larger set does not also raise 10x the alerts.
// (e) Correlation/G: one event_count correlation (group_by source.ip, 60 s, gte 10) over
//     events from G distinct addresses, 1 ms apart in event time; the group cap is 10,000,
//     so with G = 1,000,000 most groups are evicted (counted) and memory stays bounded.
//     Reports the groups held and the evictions.
//
// Events are built before the timed region. Alerts are cleared per event (their cost, the
// event shared by its alerts: one copy of it, is part of the figure). The counters report
// alerts and candidate rules (condition evaluations) per event. See RESULTS.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "vigil/ecs_fields.h"
#include "vigil/event.h"
#include "vigil/ip_address.h"
#include "vigil/rules/rule_set.h"
#include "vigil/rules/term_history_store.h"

namespace vigil {
namespace {

constexpr int kDatasets = 10;
constexpr int kActions = 50;  // event.action values per dataset in the event stream
constexpr int kUsers = 8;
constexpr size_t kEvents = 1 << 14;

Event MakeEvent(int64_t seq, uint32_t ip, int datasets = kDatasets) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::milliseconds(1'795'000'000'000LL + seq)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, "ds" + std::to_string(seq % datasets));
  e.Set(ecs::kEventAction, "a" + std::to_string(seq / datasets % kActions));
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

// Rule i: dataset i % 10; rule j = i / 10 of its dataset requires action a(j / 2) (every 5th
// `in (a(j / 2), a(j / 2 + 1))`), user j % kUsers, and an outcome test. With `flow_datasets`
// > 0, the rules of the last `flow_datasets` datasets require no action.
// With `hide_actions`, the action test is written `not (not event.action in (...))`: the
// same matches on these events (they all carry an action), but the index cannot see it.
std::string PackRules(int n, int flow_datasets, bool hide_actions = false, std::string_view extra = {}) {
  std::string y;
  for (int i = 0; i < n; ++i) {
    const int d = i % kDatasets;
    const int j = i / kDatasets;
    std::string cond = "event.dataset = ds" + std::to_string(d);
    if (d < kDatasets - flow_datasets) {
      const int a = j / 2 % kActions;
      std::string values = "a" + std::to_string(a);
      if (j % 5 == 4) values += ", a" + std::to_string(a + 1);
      cond += hide_actions ? " and not (not event.action in (" + values + "))"
                           : " and event.action in (" + values + ")";
    }
    cond += " and user.name = u" + std::to_string(j % kUsers) + " and event.outcome != unknown";
    if (!extra.empty()) cond += " and " + std::string(extra);
    y += "- rule: r" + std::to_string(i) + "\n  name: R\n  severity: low\n  condition: " + cond + "\n";
  }
  return y.empty() ? "[]\n" : y;
}

// How the timed loop treats each event: kept (the stream is reused, no event is freed), or
// as in the pipeline, dropped after evaluation (freed; kept by the alerts' copy) or handed
// over (Evaluate(Event&&): moved into its alerts when one fires, else freed). Dropped and
// handed-over streams are re-made outside the timed region each time they wrap around.
enum class Stream { kKept, kDropped, kHandedOver };

void RunEvaluate(benchmark::State& state, const std::string& yaml, int datasets, Stream stream = Stream::kKept) {
  auto rules = Load(yaml);
  std::vector<Event> made;
  for (size_t i = 0; i < kEvents; ++i) {
    made.push_back(MakeEvent(static_cast<int64_t>(i), 0xCB007100u + i % 250, datasets));
  }
  std::vector<Event> events = made;
  std::vector<Alert> out;
  size_t i = 0;
  uint64_t alerts = 0;
  for (auto _ : state) {
    out.clear();
    if (stream == Stream::kKept) {
      rules->Evaluate(events[i], out);
    } else {
      Event e = std::move(events[i]);  // the pipeline's event, freed at the end of the iteration
      if (stream == Stream::kDropped) {
        rules->Evaluate(e, out);
      } else {
        rules->Evaluate(std::move(e), out);
      }
    }
    alerts += out.size();
    if (++i == kEvents) {
      i = 0;
      if (stream != Stream::kKept) {
        state.PauseTiming();
        events = made;
        state.ResumeTiming();
      }
    }
  }
  uint64_t evaluations = 0;
  for (const RuleStateStats& st : rules->state_stats()) evaluations += st.evaluations;
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["alerts_per_event"] = static_cast<double>(alerts) / iterations;
  state.counters["candidates_per_event"] = static_cast<double>(evaluations) / iterations;
}

int Rules(const benchmark::State& state) { return static_cast<int>(state.range(0)); }

void Evaluate(benchmark::State& state) { RunEvaluate(state, PackRules(Rules(state), 0), kDatasets); }
BENCHMARK(Evaluate)->Arg(0)->Arg(10)->Arg(100)->Arg(1000);

void EvaluateDropped(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 0), kDatasets, Stream::kDropped);
}
BENCHMARK(EvaluateDropped)->Arg(100)->Arg(1000);

void EvaluateHandedOver(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 0), kDatasets, Stream::kHandedOver);
}
BENCHMARK(EvaluateHandedOver)->Arg(100)->Arg(1000);

constexpr std::string_view kRarePort = "source.port >= 46220";

void EvaluateRareAlerts(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 0, false, kRarePort), kDatasets);
}
BENCHMARK(EvaluateRareAlerts)->Arg(100)->Arg(1000);

void EvaluateRareAlertsHandedOver(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 0, false, kRarePort), kDatasets, Stream::kHandedOver);
}
BENCHMARK(EvaluateRareAlertsHandedOver)->Arg(100)->Arg(1000);

void EvaluateMixedRareAlerts(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 2, false, kRarePort), kDatasets);
}
BENCHMARK(EvaluateMixedRareAlerts)->Arg(100)->Arg(1000);

void EvaluateMixed(benchmark::State& state) { RunEvaluate(state, PackRules(Rules(state), 2), kDatasets); }
BENCHMARK(EvaluateMixed)->Arg(10)->Arg(100)->Arg(1000);

void EvaluateMixedHandedOver(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 2), kDatasets, Stream::kHandedOver);
}
BENCHMARK(EvaluateMixedHandedOver)->Arg(100)->Arg(1000);

void EvaluateNoActionIndex(benchmark::State& state) {
  RunEvaluate(state, PackRules(Rules(state), 0, true), kDatasets);
}
BENCHMARK(EvaluateNoActionIndex)->Arg(100)->Arg(1000);

void EvaluateDatasetOnly(benchmark::State& state) {
  RunEvaluate(state, SimpleRules(Rules(state), kDatasets), kDatasets);
}
BENCHMARK(EvaluateDatasetOnly)->Arg(10)->Arg(100)->Arg(1000);

void EvaluateWide(benchmark::State& state) {
  const int datasets = std::max(kDatasets, Rules(state) / 10);
  RunEvaluate(state, SimpleRules(Rules(state), datasets), datasets);
}
BENCHMARK(EvaluateWide)->Arg(100)->Arg(1000);

// One rule over events 1 ms apart in event time, each from one of `distinct` addresses
// (10.0.0.0 + seq % distinct). Events are made on the fly (timestamps must grow), from a
// ring of prebuilt ones whose time and address are rewritten: the rewrite is a small part of
// the cost. Reports the alerts and the groups held; returns the rule's state counters.
RuleStateStats RunAddressStream(benchmark::State& state, RuleSet& rules, int64_t distinct) {
  std::vector<Event> ring;
  for (size_t k = 0; k < 1024; ++k) ring.push_back(MakeEvent(static_cast<int64_t>(k), 0));
  std::vector<Alert> out;
  int64_t seq = 0;
  uint64_t alerts = 0;
  for (auto _ : state) {
    Event& e = ring[static_cast<size_t>(seq) % ring.size()];
    e.Set(ecs::kTimestamp, Timestamp(std::chrono::milliseconds(1'795'000'000'000LL + seq)));
    e.Set(ecs::kSourceIp, IpAddress::FromV4(0x0A000000u + static_cast<uint32_t>(seq % distinct)));
    out.clear();
    rules.Evaluate(e, out);
    alerts += out.size();
    ++seq;
  }
  state.SetItemsProcessed(state.iterations());
  const RuleStateStats st = rules.state_stats()[0];
  state.counters["groups_held"] = static_cast<double>(st.groups);
  state.counters["alerts"] = static_cast<double>(alerts);
  return st;
}

void Correlation(benchmark::State& state) {
  auto rules = Load(R"(
- rule: ssh.brute
  name: Brute force
  severity: high
  condition: event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)");
  const RuleStateStats st = RunAddressStream(state, *rules, state.range(0));
  state.counters["evicted_groups"] = static_cast<double>(st.evicted_groups);
}
BENCHMARK(Correlation)->Arg(100)->Arg(1'000'000);

// (f) NewTerms/V: one new_terms rule (group_by user.name, field source.ip, 30 days) over the
//     stream's 8 users and V distinct addresses, 1 ms apart in event time. With V = 100 the
//     values are soon all known (no alerts); with V = 1,000,000 nearly every event brings a
//     new value, and each user's history stays at rules.max_window_entries (1,000): the
//     oldest is evicted (counted). Reports the values held and evicted and the alerts.
constexpr const char* kNewSourceRule = R"(
- rule: ssh.new_source
  name: New source
  severity: medium
  condition: event.outcome = failure or event.outcome = success
  correlate: {type: new_terms, group_by: [user.name], field: source.ip, timespan: 30d}
)";

void NewTerms(benchmark::State& state) {
  auto rules = Load(kNewSourceRule);
  const RuleStateStats st = RunAddressStream(state, *rules, state.range(0));
  state.counters["evicted_values"] = static_cast<double>(st.evicted_entries);
}
BENCHMARK(NewTerms)->Arg(100)->Arg(1'000'000);

// (g) NewTermsSave/H: the history store (TermHistoryStore, a SQLite file in a temporary
//     directory) of one new_terms rule holding H values: 100 users with H / 100 addresses
//     each. Each iteration feeds 100 events (every other one a new address, which evicts the
//     user's oldest; the rest seen again) and saves, which writes only what changed; the
//     time is per save. Counter full_save_ms: the first save, which writes the whole history
//     (what every save cost before saves wrote only what changed).
void NewTermsSave(benchmark::State& state) {
  const int64_t held = state.range(0);
  const int64_t per_user = held / 100;
  RuleOptions options;
  options.max_window_entries = static_cast<size_t>(per_user);
  auto rules = Load(kNewSourceRule, options);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigil-bench-history-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = TermHistoryStore::Open((dir / "rule_history.db").string());
  if (!store.ok() || !(*store)->Load(*rules).ok()) std::abort();
  Event e = MakeEvent(0, 0);
  std::vector<Alert> out;
  int64_t seq = 0;
  auto feed = [&](uint32_t address) {
    e.Set(ecs::kTimestamp, Timestamp(std::chrono::milliseconds(1'795'000'000'000LL + seq)));
    e.Set(ecs::kUserName, "u" + std::to_string(seq % 100));
    e.Set(ecs::kSourceIp, IpAddress::FromV4(0x0A000000u + address));
    out.clear();
    rules->Evaluate(e, out);
    ++seq;
  };
  for (int64_t i = 0; i < held; ++i) feed(static_cast<uint32_t>(i / 100));
  const auto t0 = std::chrono::steady_clock::now();
  if (!(*store)->Save(*rules).ok()) std::abort();
  const double full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  uint32_t next_address = static_cast<uint32_t>(per_user);
  for (auto _ : state) {
    state.PauseTiming();
    for (int k = 0; k < 100; ++k) feed(k % 2 == 0 ? next_address + static_cast<uint32_t>(k / 2) : 0);
    next_address += 50;
    state.ResumeTiming();
    if (!(*store)->Save(*rules).ok()) std::abort();
  }
  state.counters["full_save_ms"] = full_ms;
  state.counters["values_held"] = static_cast<double>(held);
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(NewTermsSave)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
