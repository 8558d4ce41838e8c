// The output contract (vigil/output.h): the base class, the registry, reading the `outputs:`
// list and the keys every output has, and the set of running outputs.
//
// Threading: registry and config reading happen while loading, on one thread; OutputSet as
// documented in the header.
#include "vigil/names.h"
#include "vigil/output.h"

#include <algorithm>
#include <thread>

#include "vigil/log.h"

namespace vigil {
namespace {

std::chrono::milliseconds ToMillis(std::chrono::nanoseconds d) {
  return std::chrono::ceil<std::chrono::milliseconds>(d);
}

OutputOptions ReadOutputOptions(ConfigSection& s) {
  OutputOptions o;
  std::string sev = s.Enum("min_severity", "info", {"info", "low", "medium", "high", "critical"});
  o.min_severity = ParseAlertSeverity(sev).value_or(AlertSeverity::kInfo);
  o.tags = s.StringList("tags");
  if (std::count(o.tags.begin(), o.tags.end(), "") > 0) s.BadValue("tags", "tags must not be empty");
  o.queue = static_cast<size_t>(s.Int("queue", 1000, 1, 1000000));

  if (s.Has("retry")) {
    ConfigSection r = s.Section("retry");
    o.retry.attempts = static_cast<int>(r.Int("attempts", o.retry.attempts, 1, 1000));
    auto initial = r.DurationValue("initial", o.retry.initial);
    auto max = r.DurationValue("max", o.retry.max);
    if (initial < std::chrono::milliseconds(1) || initial > std::chrono::hours(1)) {
      r.BadValue("initial", "must be at least 1ms and at most 1h");
    } else {
      o.retry.initial = ToMillis(initial);
    }
    if (max > std::chrono::hours(24)) {
      r.BadValue("max", "must be at most 24h");
    } else if (max < o.retry.initial) {
      r.BadValue("max", "must not be less than 'initial'");
    } else {
      o.retry.max = ToMillis(max);
    }
    r.Finish();
  }

  if (s.Has("rate_limit")) {
    ConfigSection r = s.Section("rate_limit");
    RateLimit limit;
    if (!r.Has("alerts")) {
      r.diagnostics().Error(r.Where(), "E104", "rate_limit needs 'alerts' (how many per 'per')");
    }
    limit.alerts = static_cast<uint64_t>(r.Int("alerts", 1, 1, 1000000000));
    limit.per = r.DurationValue("per", std::chrono::minutes(1));
    if (limit.per < std::chrono::milliseconds(1) || limit.per > std::chrono::hours(24 * 7)) {
      r.BadValue("per", "must be at least 1ms and at most 7d");
      limit.per = std::chrono::minutes(1);
    }
    o.rate_limit = limit;
    r.Finish();
  }
  return o;
}

// Reads the common keys of an entry and runs its factory. `check_name` also checks the name.
Result<std::unique_ptr<Output>> BuildOutput(ConfigSection& s, OutputEntry& e,
                                            const OutputRegistry& registry) {
  Diagnostics& diags = s.diagnostics();
  const size_t before = diags.error_count();
  e.type = s.RequiredString("type");
  e.name = s.String("name", e.type);
  e.enabled = s.Bool("enabled", true);
  if (s.Has("name") && !IsPlainName(e.name)) {
    s.BadValue("name", "'" + e.name +
                           "' is not a valid output name (1-64 letters, digits, '-', '_' or '.')");
  }
  OutputEnv env{e.name, e.type, ReadOutputOptions(s)};
  const OutputFactory* factory = e.type.empty() ? nullptr : registry.Find(e.type);
  if (factory == nullptr) {
    if (!e.type.empty()) {
      diags.Error(s.Where("type"), "E103",
                  "unknown output type '" + e.type + "'; registered types: " +
                      JoinNames(registry.Names()));
    }
    return Status::InvalidArgument("output '" + e.name + "': invalid configuration");
  }
  const std::string what = "output '" + e.name + "' (" + e.type + ")";
  try {
    Result<std::unique_ptr<Output>> r = factory->Create(s, env);
    if (!r.ok() && diags.error_count() == before) {
      diags.Error(s.Where(), "E103", what + ": " + r.status().message());
    }
    if (r.ok() && diags.error_count() > before) {
      return Status::InvalidArgument(what + ": invalid configuration");
    }
    return r;
  } catch (const std::exception& ex) {
    diags.Error(s.Where(), "E103", what + ": " + ex.what());
    return Status::Internal(what + ": " + ex.what());
  }
}

}  // namespace

std::chrono::milliseconds RetryPolicy::Delay(int retry) const {
  if (retry < 1) retry = 1;
  auto d = initial;
  for (int i = 1; i < retry && d < max; ++i) d *= 2;  // stops doubling at the cap: no overflow
  return std::min(d, max);
}

Output::Output(OutputEnv env) : env_(std::move(env)) {}
Output::~Output() = default;

bool Output::Accepts(const AlertMessage& m) const {
  if (static_cast<int>(m.severity) < static_cast<int>(env_.options.min_severity)) return false;
  if (env_.options.tags.empty()) return true;
  for (const std::string& t : m.tags) {
    if (std::find(env_.options.tags.begin(), env_.options.tags.end(), t) !=
        env_.options.tags.end()) {
      return true;
    }
  }
  return false;
}

void Output::Reopen() {}
void Output::WriteMetrics(MetricWriter& out) const { (void)out; }

OutputRegistry& OutputRegistry::Global() {
  static OutputRegistry* registry = new OutputRegistry();  // lives until exit
  return *registry;
}

std::vector<OutputEntry> ReadOutputEntries(ConfigSection& root, const OutputRegistry& registry) {
  std::vector<OutputEntry> entries;
  std::map<std::string, int> first_line;  // name -> line of its first entry
  for (ConfigSection& s : root.SectionList("outputs")) {
    OutputEntry e;
    e.node = s.node();
    e.file = s.file();
    BuildOutput(s, e, registry).status().IgnoreError();  // the diagnostics say what was wrong
    const std::string_view name_key = s.Has("name") ? "name" : "type";
    if (auto [it, fresh] = first_line.emplace(e.name, s.Where(name_key).line);
        !fresh && !e.name.empty()) {
      s.diagnostics().Error(s.Where(name_key), "E103",
                            "duplicate output name '" + e.name + "' (first used at line " +
                                std::to_string(it->second) + "); give each entry a unique 'name'");
    }
    entries.push_back(std::move(e));
  }
  // `outputs: []` means none; absent or empty (`outputs:`) means the default.
  bool is_list = false;
  if (root.node().IsMap()) {
    for (const auto& kv : root.node()) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "outputs") is_list = kv.second.IsSequence();
    }
  }
  if (entries.empty() && !is_list) {
    OutputEntry e;
    e.type = "stdout";
    e.name = "stdout";
    e.node = YAML::Load("{type: stdout, format: json}");
    e.file = root.file();
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<std::unique_ptr<Output>> CreateOutput(const OutputEntry& e, Diagnostics& diags,
                                             const OutputRegistry& registry) {
  ConfigSection s(e.node, e.file, diags);
  OutputEntry copy = e;
  return BuildOutput(s, copy, registry);
}

OutputSet& OutputSet::operator=(OutputSet&& other) {
  if (this != &other) {
    Stop(std::chrono::milliseconds(0));
    outputs_ = std::move(other.outputs_);
    stopped_ = other.stopped_;
    other.outputs_.clear();
  }
  return *this;
}

OutputSet::~OutputSet() { Stop(std::chrono::milliseconds(0)); }

Result<OutputSet> OutputSet::Create(const std::vector<OutputEntry>& entries, Diagnostics& diags,
                                    const OutputRegistry& registry) {
  std::vector<std::unique_ptr<Output>> built;
  for (const OutputEntry& e : entries) {
    if (!e.enabled) continue;
    Result<std::unique_ptr<Output>> r = CreateOutput(e, diags, registry);
    if (!r.ok()) return r.status();
    built.push_back(std::move(*r));
  }
  OutputSet set;
  for (auto& o : built) {
    const std::string name = o->name();
    if (Status s = set.Add(std::move(o)); !s.ok()) {
      return Status(s.code(), "output '" + name + "': " + s.message());
    }
  }
  return set;
}

Status OutputSet::Add(std::unique_ptr<Output> output) {
  VIGIL_RETURN_IF_ERROR(output->Start());
  outputs_.push_back(std::move(output));
  stopped_ = false;
  return Status::Ok();
}

void OutputSet::Route(const std::shared_ptr<const AlertMessage>& m) {
  for (const auto& o : outputs_) {
    if (o->Accepts(*m)) o->Submit(m);
  }
}

void OutputSet::Reopen() {
  for (const auto& o : outputs_) o->Reopen();
}

void OutputSet::Stop(std::chrono::milliseconds drain) {
  if (stopped_ || outputs_.empty()) {
    stopped_ = true;
    return;
  }
  stopped_ = true;
  if (outputs_.size() == 1) {
    outputs_[0]->Stop(drain);
    return;
  }
  // Each output drains within the same `drain`, not one after the other.
  std::vector<std::thread> stoppers;
  stoppers.reserve(outputs_.size());
  for (const auto& o : outputs_) {
    Output* out = o.get();
    stoppers.emplace_back([out, drain] { out->Stop(drain); });
  }
  for (auto& t : stoppers) t.join();
}

void OutputSet::WriteMetrics(MetricWriter& out) const {
  for (const auto& o : outputs_) o->WriteMetrics(out);
}

}  // namespace vigil
