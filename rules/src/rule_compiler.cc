#include "rule_compiler.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "correlation_spec.h"
#include "rule_program.h"
#include "rule_set_impl.h"

namespace vigil::rules {
namespace {

std::string Where(const SourceLocation& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

class ListExpander {
 public:
  ListExpander(std::vector<RawList>& raw, std::map<std::string, ListDef, std::less<>>& out, Diagnostics& diags)
      : raw_(raw), out_(out), diags_(diags) {}

  void Run() {
    for (size_t i = 0; i < raw_.size(); ++i) {
      auto [it, fresh] = index_.emplace(raw_[i].name, i);
      if (!fresh) {
        diags_.Error(raw_[i].location, "E204", "list '" + raw_[i].name + "' is already defined at " +
                                                   Where(raw_[it->second].location));
      }
    }
    for (const auto& [name, i] : index_) Expand(i);
  }

 private:
  enum class State { kTodo, kActive, kDone, kBad };

  bool Expand(size_t i) {
    State& st = state_[i];
    if (st == State::kDone) return true;
    if (st == State::kBad) return false;
    if (st == State::kActive) return false;
    st = State::kActive;
    ListDef def{raw_[i].name, raw_[i].location, {}, false};
    bool ok = true;
    for (const std::string& item : raw_[i].items) {
      auto ref = index_.find(item);
      if (ref == index_.end()) {
        def.items.push_back(item);
        continue;
      }
      if (state_[ref->second] == State::kActive) {
        diags_.Error(raw_[i].location, "E210", "list '" + raw_[i].name + "' refers to itself through '" + item + "'");
        ok = false;
        continue;
      }
      if (!Expand(ref->second)) {
        ok = false;
        continue;
      }
      ListDef& sub = out_.at(item);
      sub.used = true;
      def.items.insert(def.items.end(), sub.items.begin(), sub.items.end());
      if (def.items.size() > kMaxListItems) {
        diags_.Error(raw_[i].location, "E214", "list '" + raw_[i].name + "' expands to more than " +
                                                   std::to_string(kMaxListItems) + " items");
        ok = false;
        break;
      }
    }
    state_[i] = ok ? State::kDone : State::kBad;
    if (ok) out_.emplace(def.name, std::move(def));
    return ok;
  }

  std::vector<RawList>& raw_;
  std::map<std::string, ListDef, std::less<>>& out_;
  Diagnostics& diags_;
  std::map<std::string, size_t> index_;
  std::map<size_t, State> state_;
};

// Redefinitions, applied in load order (files in the order given, items in file order): a
// list or macro defined again in a *later file* replaces the earlier definition (a site's
// /etc/vigil/rules.d file overrides a pack's default); with `append: true` it extends it
// (list items added; macro conditions joined with `or`). Defined twice in the same file
// without `append` is E204 (a slip more often than an intent); `append` with nothing before
// it to extend is E217.
std::vector<RawList> MergeLists(std::vector<RawList>& raw, Diagnostics& diags) {
  std::vector<RawList> merged;
  std::map<std::string, size_t> index;
  for (RawList& l : raw) {
    auto it = index.find(l.name);
    if (it == index.end()) {
      if (l.append) {
        diags.Error(l.location, "E217", "list '" + l.name + "' has append: true but no earlier definition to extend");
        continue;
      }
      index.emplace(l.name, merged.size());
      merged.push_back(std::move(l));
      continue;
    }
    RawList& base = merged[it->second];
    if (l.append) {
      base.items.insert(base.items.end(), l.items.begin(), l.items.end());
      if (base.items.size() > kMaxListItems) {
        diags.Error(l.location, "E214", "list '" + l.name + "' has more than " + std::to_string(kMaxListItems) +
                                            " items once appended");
        base.items.resize(kMaxListItems);
      }
    } else if (l.location.file == base.location.file) {
      diags.Error(l.location, "E204", "list '" + l.name + "' is already defined at " + Where(base.location) +
                                          " (in another file it would replace it; append: true extends it)");
    } else {
      base = std::move(l);
    }
  }
  return merged;
}

void MergeMacros(std::vector<RawMacro>& raw, std::map<std::string, MacroDef, std::less<>>& macros,
                 Diagnostics& diags) {
  for (RawMacro& m : raw) {
    auto it = macros.find(m.name);
    if (it == macros.end()) {
      if (m.append) {
        diags.Error(m.location, "E217", "macro '" + m.name + "' has append: true but no earlier definition to extend");
        continue;
      }
      MacroDef def;
      def.name = m.name;
      def.location = m.location;
      def.text = m.condition.text;
      def.where = m.condition.where;
      macros.emplace(m.name, std::move(def));
      continue;
    }
    MacroDef& base = it->second;
    if (m.append) {
      base.appended.push_back({m.condition.text, m.condition.where, nullptr});
    } else if (m.location.file == base.location.file) {
      diags.Error(m.location, "E204", "macro '" + m.name + "' is already defined at " + Where(base.location) +
                                          " (in another file it would replace it; append: true extends it)");
    } else {
      base.location = m.location;
      base.text = m.condition.text;
      base.where = m.condition.where;
      base.appended.clear();
    }
  }
}

// RuleInfo::datasets of `cr`: its own dataset constraint, or for a correlation fed by
// other rules, the union of theirs (empty, "any", as soon as one of them is unconstrained).
std::vector<std::string> DatasetsOf(const CompiledRule& cr, const std::vector<CompiledRule>& all) {
  std::set<std::string> out;
  auto add = [&out](const KindConstraint& k) {
    if (!k.dataset) return false;
    out.insert(k.dataset->exact.begin(), k.dataset->exact.end());
    for (const std::string& p : k.dataset->prefixes) out.insert(p + "*");
    return true;
  };
  if (cr.correlation && !cr.sources.empty()) {
    for (uint32_t s : cr.sources) {
      if (!add(all[s].kinds)) return {};
    }
  } else if (!add(cr.kinds)) {
    return {};
  }
  return {out.begin(), out.end()};
}

// Appends `s` length-prefixed, so that no two sequences of parts make the same text.
void Part(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out.append(s);
}

// What a rule matches: its condition and its exceptions, in normal form.
void MatchDefinition(const CompiledRule& cr, std::string& out) {
  Part(out, cr.condition_text);
  for (const CompiledException& ex : cr.exceptions) Part(out, ex.text);
  out += ';';
}

// CompiledRule::fingerprint: FNV-1a (64 bits) of the rule's state-relevant definition.
uint64_t Fingerprint(const CompiledRule& cr, const std::vector<CompiledRule>& all, const FieldRegistry& fields) {
  std::string d = "m";
  MatchDefinition(cr, d);
  if (cr.correlation) {
    const CorrelationSpec& c = *cr.correlation;
    d += "c";
    Part(d, CorrelationTypeName(c.type));
    for (const std::string& g : c.group_by_names) Part(d, g);
    d += ";" + std::to_string(c.timespan.count()) + ";" + std::to_string(static_cast<int>(c.op)) + ";" +
         std::to_string(c.threshold) + ";";
    Part(d, c.field ? fields.Info(*c.field).name : std::string());
    for (size_t k = 0; k < c.rule_ids.size(); ++k) {
      Part(d, c.rule_ids[k]);
      if (k < cr.sources.size()) MatchDefinition(all[cr.sources[k]], d);
    }
  }
  if (cr.suppression) {
    d += "s" + std::to_string(cr.suppression->window.count()) + ";";
    for (FieldId f : cr.suppression->by) Part(d, fields.Info(f).name);
  }
  uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : d) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

bool Selected(const RuleInfo& r, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (n == r.id || std::find(r.tags.begin(), r.tags.end(), n) != r.tags.end()) return true;
  }
  return false;
}

// Resolves each correlation's `rules` to rule indices (E225: unknown, itself, or another
// correlation).
void LinkCorrelations(RuleSet::Impl& impl, const std::map<std::string, size_t>& by_id, Diagnostics& diags) {
  for (CompiledRule& cr : impl.rules) {
    if (!cr.correlation) continue;
    const CorrelationSpec& spec = *cr.correlation;
    for (size_t k = 0; k < spec.rule_ids.size(); ++k) {
      const std::string& id = spec.rule_ids[k];
      auto it = by_id.find(id);
      std::string problem;
      if (it == by_id.end()) {
        problem = "names unknown rule '" + id + "'";
      } else if (id == cr.info.id) {
        problem = "names itself";
      } else if (impl.rules[it->second].info.has_correlation) {
        problem = "names '" + id + "', a correlation rule (correlations are fed by plain rules)";
      }
      if (!problem.empty()) {
        diags.Error(spec.rule_locations[k], "E225", "correlation of rule '" + cr.info.id + "' " + problem);
        cr.condition = nullptr;
        continue;
      }
      cr.sources.push_back(static_cast<uint32_t>(it->second));
    }
  }
}

}  // namespace

void CompileRules(RawRuleFile& raw, const RuleOptions& options, const FieldRegistry& fields,
                  RuleSet::Impl& impl, Diagnostics& diags) {
  std::map<std::string, ListDef, std::less<>> lists;
  raw.lists = MergeLists(raw.lists, diags);
  ListExpander(raw.lists, lists, diags).Run();

  std::map<std::string, MacroDef, std::less<>> macros;
  MergeMacros(raw.macros, macros, diags);
  for (const auto& [name, m] : macros) {
    if (fields.Find(name)) {
      diags.Warning(m.location, "W205", "macro '" + name + "' has the name of a field");
    }
    if (lists.count(name)) {
      diags.Warning(m.location, "W205", "'" + name + "' is both a macro and a list");
    }
  }
  for (const RawList& l : raw.lists) {
    if (fields.Find(l.name)) diags.Warning(l.location, "W205", "list '" + l.name + "' has the name of a field");
  }

  ConditionCompiler compiler(fields, lists, macros, diags);
  for (auto& [name, m] : macros) compiler.CheckMacro(m);
  // Only uses reachable from rules and exceptions count: compiling them below marks every
  // macro their expansion reaches.
  for (auto& [name, m] : macros) m.used = false;

  std::map<std::string, size_t> by_id;
  for (RawRule& r : raw.rules) {
    if (auto it = by_id.find(r.id); it != by_id.end()) {
      diags.Error(r.location, "E204", "rule '" + r.id + "' is already defined at " +
                                          Where(impl.rules[it->second].info.location));
      continue;
    }
    CompiledRule cr;
    cr.info.id = r.id;
    cr.info.name = r.name;
    cr.info.description = r.desc;
    cr.info.severity = r.severity;
    cr.info.tags = r.tags;
    cr.info.controls = r.controls;
    cr.info.enabled = r.enabled;
    cr.info.has_correlation = r.has_correlate;
    cr.info.test_count = r.tests.size();
    cr.info.location = r.location;
    cr.info.has_suppression = r.has_suppress;
    bool ok = true;
    if (r.has_correlate) {
      cr.correlation = ParseCorrelation(r.correlate, r.location.file, r.yaml_line_offset, fields, options, diags);
      ok = cr.correlation.has_value();
    }
    if (r.has_suppress) {
      cr.suppression = ParseSuppression(r.suppress, r.location.file, r.yaml_line_offset, fields, diags);
      ok = ok && cr.suppression.has_value();
    }
    if (!r.condition) {
      if (cr.correlation && !cr.correlation->rule_ids.empty()) {
        cr.condition = MakeAnd({});  // fed by its rules only: every event they match counts
      } else {
        if (cr.correlation) {
          diags.Error(r.location, "E203", "missing key 'condition' (a correlation without 'rules' "
                                          "counts the events its condition selects)");
        }
        ok = false;  // otherwise reported by the reader or the correlate check
      }
    } else {
      auto cc = compiler.Compile(r.condition->text, r.condition->where);
      if (cc) {
        cr.condition = std::move(cc->node);
        cr.kinds = std::move(cc->kinds);
        cr.condition_text = std::move(cc->text);
        if (cr.kinds.never) {
          diags.Warning(r.condition->where.Start(), "W202",
                        "rule '" + r.id + "' never applies: its condition requires event kinds that exclude each other");
        }
      } else {
        ok = false;
      }
    }
    if (r.output) {
      cr.output = OutputTemplate::Parse(r.output->text, fields, r.output->where, diags);
      if (!cr.output) ok = false;
    }
    cr.tests = std::move(r.tests);
    by_id.emplace(r.id, impl.rules.size());
    if (!ok) cr.condition = nullptr;
    impl.rules.push_back(std::move(cr));
  }

  LinkCorrelations(impl, by_id, diags);

  std::map<std::string, SourceLocation> exception_ids;
  for (RawException& ex : raw.exceptions) {
    if (auto it = exception_ids.find(ex.id); it != exception_ids.end()) {
      diags.Error(ex.location, "E204", "exception '" + ex.id + "' is already defined at " + Where(it->second));
      continue;
    }
    exception_ids.emplace(ex.id, ex.location);
    auto target = by_id.find(ex.rule_id);
    if (target == by_id.end()) {
      diags.Error(ex.rule_location, "E216", "exception '" + ex.id + "' names unknown rule '" + ex.rule_id + "'");
    }
    auto cc = compiler.Compile(ex.condition.text, ex.condition.where);
    if (cc && target != by_id.end()) {
      impl.rules[target->second].exceptions.push_back({ex.id, std::move(cc->node), std::move(cc->text)});
    }
  }

  for (const auto& [name, m] : macros) {
    if (!m.used && m.state == MacroDef::State::kValid) {
      diags.Warning(m.location, "W203", "macro '" + name + "' is not used by any rule or exception");
    }
  }
  for (const auto& [name, l] : lists) {
    if (!l.used) diags.Warning(l.location, "W204", "list '" + name + "' is not used");
  }

  for (CompiledRule& cr : impl.rules) {
    if (Selected(cr.info, options.enable)) cr.info.enabled = true;
    if (Selected(cr.info, options.disable)) cr.info.enabled = false;
  }
  auto check_names = [&](const std::vector<std::string>& names, const char* key) {
    for (const std::string& n : names) {
      bool any = std::any_of(impl.rules.begin(), impl.rules.end(), [&](const CompiledRule& cr) {
        return Selected(cr.info, {n});
      });
      if (!any) {
        diags.Warning({"", 0, 0}, "W206", std::string("rules.") + key + ": '" + n + "' names no rule id or tag");
      }
    }
  };
  check_names(options.enable, "enable");
  check_names(options.disable, "disable");

  // Indexed: enabled rules, except correlations fed by their `rules` (they are offered the
  // events those match), and every rule an enabled correlation is fed by (enabled or not:
  // a disabled base rule feeds its correlation without raising alerts of its own).
  std::vector<bool> evaluate(impl.rules.size(), false);
  impl.feeds.assign(impl.rules.size(), {});
  for (uint32_t i = 0; i < impl.rules.size(); ++i) {
    const CompiledRule& cr = impl.rules[i];
    if (!cr.condition || !cr.info.enabled) continue;
    if (!cr.correlation || cr.sources.empty()) evaluate[i] = true;
    for (uint32_t pos = 0; pos < cr.sources.size(); ++pos) {
      evaluate[cr.sources[pos]] = true;
      impl.feeds[cr.sources[pos]].push_back({i, pos});
    }
  }
  std::vector<const KindConstraint*> kinds;
  for (uint32_t i = 0; i < impl.rules.size(); ++i) {
    CompiledRule& cr = impl.rules[i];
    cr.info.datasets = DatasetsOf(cr, impl.rules);
    impl.infos.push_back(cr.info);
    cr.meta = std::make_shared<const RuleMeta>(RuleMeta{cr.info.id, cr.info.name, cr.info.description,
                                                        cr.info.severity, cr.info.tags, cr.info.controls,
                                                        !cr.output.has_value()});
    kinds.push_back(&cr.kinds);
    if (!cr.condition) evaluate[i] = false;
  }
  impl.index.Build(kinds, evaluate);
  impl.candidates.resize(impl.rules.size());
  std::vector<size_t> first(impl.rules.size());  // of each rule's program in impl.programs
  for (size_t i = 0; i < impl.rules.size(); ++i) {
    if (!evaluate[i]) continue;
    first[i] = impl.programs.size();
    const auto [size, tagged] = AppendProgram(impl.rules[i], impl.programs);
    impl.candidates[i].size = static_cast<uint16_t>(size);
    impl.candidates[i].tagged = static_cast<uint16_t>(tagged);
  }
  for (size_t i = 0; i < impl.rules.size(); ++i) {
    const CompiledRule& cr = impl.rules[i];
    RuleSet::Impl::Candidate& c = impl.candidates[i];
    if (evaluate[i]) {
      c.program = impl.programs.data() + first[i];
      if (c.size > 0) c.first = *c.program;
    }
    c.exceptions = !cr.exceptions.empty();
    c.alerts = cr.info.enabled && !cr.correlation;
    c.feeds_self = cr.info.enabled && cr.correlation && cr.sources.empty();
    c.feeds = !impl.feeds[i].empty();
    c.suppresses = static_cast<bool>(cr.suppression);
    c.meta = cr.meta.get();
    c.output = cr.output ? &*cr.output : nullptr;
  }
  for (CompiledRule& cr : impl.rules) cr.fingerprint = Fingerprint(cr, impl.rules, fields);
  impl.options = options;
  impl.state.resize(impl.rules.size());
  for (size_t i = 0; i < impl.rules.size(); ++i) {
    const CompiledRule& cr = impl.rules[i];
    if (cr.correlation) {
      impl.state[i].windows =
          std::make_unique<CorrelationWindows>(*cr.correlation, options.max_groups, options.max_window_entries);
      if (cr.correlation->closes() && cr.info.enabled) impl.closing.push_back(static_cast<uint32_t>(i));
    }
    if (cr.suppression) {
      impl.state[i].suppression = std::make_unique<SuppressionWindows>(*cr.suppression, options.max_suppression_keys);
      impl.suppressing.push_back(static_cast<uint32_t>(i));
    }
  }
}

}  // namespace vigil::rules
