#include "rule_compiler.h"

#include <algorithm>
#include <map>

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

bool Selected(const RuleInfo& r, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (n == r.id || std::find(r.tags.begin(), r.tags.end(), n) != r.tags.end()) return true;
  }
  return false;
}

}  // namespace

void CompileRules(RawRuleFile& raw, const RuleOptions& options, const FieldRegistry& fields,
                  RuleSet::Impl& impl, Diagnostics& diags) {
  std::map<std::string, ListDef, std::less<>> lists;
  ListExpander(raw.lists, lists, diags).Run();

  std::map<std::string, MacroDef, std::less<>> macros;
  for (RawMacro& m : raw.macros) {
    if (auto it = macros.find(m.name); it != macros.end()) {
      diags.Error(m.location, "E204", "macro '" + m.name + "' is already defined at " + Where(it->second.location));
      continue;
    }
    if (fields.Find(m.name)) {
      diags.Warning(m.location, "W205", "macro '" + m.name + "' has the name of a field");
    }
    if (lists.count(m.name)) {
      diags.Warning(m.location, "W205", "'" + m.name + "' is both a macro and a list");
    }
    MacroDef def;
    def.name = m.name;
    def.location = m.location;
    def.text = m.condition.text;
    def.where = m.condition.where;
    macros.emplace(m.name, std::move(def));
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
    bool ok = true;
    if (r.condition) {
      auto cc = compiler.Compile(r.condition->text, r.condition->where);
      if (cc) {
        cr.condition = std::move(cc->node);
        cr.kinds = std::move(cc->kinds);
        if (cr.kinds.never) {
          diags.Warning(r.condition->where.Start(), "W202",
                        "rule '" + r.id + "' never applies: its condition requires event kinds that exclude each other");
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
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
      impl.rules[target->second].exceptions.push_back({ex.id, std::move(cc->node)});
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

  std::vector<const KindConstraint*> kinds;
  std::vector<bool> enabled;
  for (const CompiledRule& cr : impl.rules) {
    impl.infos.push_back(cr.info);
    kinds.push_back(&cr.kinds);
    enabled.push_back(cr.info.enabled && cr.condition != nullptr);
  }
  impl.index.Build(kinds, enabled);
}

}  // namespace vigil::rules
