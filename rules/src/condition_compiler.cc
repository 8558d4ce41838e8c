#include "condition_compiler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <set>
#include <string_view>

#include "vigil/config_section.h"
#include "vigil/ecs_fields.h"
#include "vigil/time_format.h"

namespace vigil::rules {

struct ConditionCompiler::Frame {
  const ScalarLocator* where;
  Diagnostics* sink;
  size_t* budget;
  bool budget_reported = false;
  std::string* text = nullptr;  // where the normal form is written (null: not wanted)
};

namespace {

bool IsStringOp(Op op) {
  return op == Op::kContains || op == Op::kIContains || op == Op::kStartsWith || op == Op::kEndsWith ||
         op == Op::kGlob || op == Op::kRegex;
}
bool IsOrdering(Op op) { return op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe; }

std::optional<ValueSet> IntersectSets(const ValueSet& a, const ValueSet& b) {
  if (a.prefixes.empty()) {
    ValueSet r;
    for (const auto& v : a.exact) if (b.Matches(v)) r.exact.insert(v);
    return r;
  }
  if (b.prefixes.empty()) return IntersectSets(b, a);
  return a;  // both have prefixes: either side is a sound over-approximation
}

void AndDim(std::optional<ValueSet>& into, const std::optional<ValueSet>& other, bool* never) {
  if (!other) return;
  if (!into) {
    into = other;
    return;
  }
  into = IntersectSets(*into, *other);
  if (into->exact.empty() && into->prefixes.empty()) *never = true;
}

KindConstraint AndKinds(std::vector<KindConstraint>& parts) {
  KindConstraint r;
  for (auto& p : parts) {
    r.never = r.never || p.never;
    AndDim(r.dataset, p.dataset, &r.never);
    AndDim(r.category, p.category, &r.never);
    AndDim(r.action, p.action, &r.never);
    for (auto& [field, values] : p.equals) {
      auto [it, fresh] = r.equals.try_emplace(field, std::move(values));
      if (fresh) continue;
      std::set<std::string> both;
      std::set_intersection(it->second.begin(), it->second.end(), values.begin(), values.end(),
                            std::inserter(both, both.end()));
      if (both.empty()) r.never = true;
      it->second = std::move(both);
    }
  }
  return r;
}

KindConstraint OrKinds(std::vector<KindConstraint>& parts) {
  std::vector<const KindConstraint*> live;
  for (const auto& p : parts) if (!p.never) live.push_back(&p);
  KindConstraint r;
  if (live.empty()) {
    r.never = true;
    return r;
  }
  auto unite = [&](std::optional<ValueSet> KindConstraint::*dim) {
    std::optional<ValueSet> u = ValueSet{};
    for (const KindConstraint* p : live) {
      if (!(p->*dim)) return std::optional<ValueSet>();
      u->exact.insert((p->*dim)->exact.begin(), (p->*dim)->exact.end());
      u->prefixes.insert((p->*dim)->prefixes.begin(), (p->*dim)->prefixes.end());
    }
    return u;
  };
  r.dataset = unite(&KindConstraint::dataset);
  r.category = unite(&KindConstraint::category);
  r.action = unite(&KindConstraint::action);
  // A field stays constrained when every branch constrains it: to the union of their values.
  for (const auto& [field, values] : live.front()->equals) {
    std::set<std::string> u = values;
    bool everywhere = true;
    for (size_t i = 1; i < live.size() && everywhere; ++i) {
      auto it = live[i]->equals.find(field);
      everywhere = it != live[i]->equals.end();
      if (everywhere) u.insert(it->second.begin(), it->second.end());
    }
    if (everywhere) r.equals.emplace(field, std::move(u));
  }
  return r;
}

template <typename T, typename ParseFn>
bool ConvertAll(const std::vector<AstOperand>& vals, ParseFn parse, std::vector<T>* out, AstOperand* bad) {
  for (const AstOperand& v : vals) {
    std::optional<T> x = parse(v.text);
    if (!x) {
      *bad = v;
      return false;
    }
    out->push_back(*x);
  }
  return true;
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  std::string copy(s);
  if (copy.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

}  // namespace

bool ValueSet::Matches(std::string_view v) const {
  if (exact.count(std::string(v)) != 0) return true;
  for (const auto& p : prefixes) if (v.starts_with(p)) return true;
  return false;
}

void ConditionCompiler::Write(Frame& f, std::string_view s) {
  if (f.text) f.text->append(s);
}

void ConditionCompiler::Error(Frame& f, size_t offset, std::string code, std::string message) {
  f.sink->Error(f.where->At(offset), std::move(code), std::move(message));
}

std::optional<CompiledCondition> ConditionCompiler::Compile(std::string_view text, const ScalarLocator& where) {
  ConditionError err;
  auto ast = ParseCondition(text, &err);
  if (!ast) {
    diags_.Error(where.At(err.offset), err.code, err.message);
    return std::nullopt;
  }
  size_t budget = 0;
  std::string normal;
  Frame f{&where, &diags_, &budget};
  f.text = &normal;
  auto cc = Node(*ast, f);
  if (cc) cc->text = std::move(normal);
  return cc;
}

void ConditionCompiler::CheckMacro(MacroDef& m) {
  if (m.state != MacroDef::State::kUnchecked) return;
  bool ok = true;
  auto parse = [&](const std::string& text, const ScalarLocator& where, std::unique_ptr<AstNode>& ast) {
    ConditionError err;
    ast = ParseCondition(text, &err);
    if (!ast) {
      diags_.Error(where.At(err.offset), err.code, "in macro '" + m.name + "': " + err.message);
      ok = false;
    }
  };
  parse(m.text, m.where, m.ast);
  for (auto& part : m.appended) parse(part.text, part.where, part.ast);
  if (!ok) {
    m.state = MacroDef::State::kInvalid;
    return;
  }
  m.state = MacroDef::State::kChecking;
  macro_stack_.push_back(m.name);
  size_t budget = 0;
  Frame f{&m.where, &diags_, &budget};
  ok = Node(*m.ast, f).has_value();
  for (auto& part : m.appended) {
    Frame pf{&part.where, &diags_, &budget};
    ok = Node(*part.ast, pf).has_value() && ok;
  }
  macro_stack_.pop_back();
  m.state = ok ? MacroDef::State::kValid : MacroDef::State::kInvalid;
}

std::optional<CompiledCondition> ConditionCompiler::Node(const AstNode& n, Frame& f) {
  if (++*f.budget > kMaxCompiledNodes) {
    if (!f.budget_reported) {
      Error(f, n.offset, "E214", "condition expands to more than " + std::to_string(kMaxCompiledNodes) + " nodes");
      f.budget_reported = true;
    }
    return std::nullopt;
  }
  switch (n.kind) {
    case AstNode::Kind::kAnd:
    case AstNode::Kind::kOr: {
      std::vector<NodePtr> nodes;
      std::vector<KindConstraint> kinds;
      bool ok = true;
      Write(f, n.kind == AstNode::Kind::kAnd ? "(and" : "(or");
      for (const auto& c : n.children) {
        Write(f, " ");
        auto cc = Node(*c, f);
        if (!cc) {
          ok = false;
          continue;
        }
        nodes.push_back(std::move(cc->node));
        kinds.push_back(std::move(cc->kinds));
      }
      Write(f, ")");
      if (!ok) return std::nullopt;
      if (n.kind == AstNode::Kind::kAnd) return CompiledCondition{MakeAnd(std::move(nodes)), AndKinds(kinds), {}};
      return CompiledCondition{MakeOr(std::move(nodes)), OrKinds(kinds), {}};
    }
    case AstNode::Kind::kNot: {
      Write(f, "(not ");
      auto cc = Node(*n.children[0], f);
      Write(f, ")");
      if (!cc) return std::nullopt;
      return CompiledCondition{MakeNot(std::move(cc->node)), KindConstraint{}, {}};
    }
    case AstNode::Kind::kPredicate:
      return Predicate(n, f);
    case AstNode::Kind::kMacroRef:
      return MacroRef(n, f);
  }
  return std::nullopt;
}

std::optional<CompiledCondition> ConditionCompiler::MacroRef(const AstNode& n, Frame& f) {
  auto it = macros_.find(n.name);
  if (it == macros_.end()) {
    if (fields_.Find(n.name)) {
      Error(f, n.offset, "E205", "field '" + n.name + "' needs an operator (e.g. '" + n.name + " exists')");
    } else if (lists_.count(n.name) != 0) {
      Error(f, n.offset, "E205", "'" + n.name + "' is a list; use it as '<field> in " + n.name + "'");
    } else {
      Error(f, n.offset, "E208", "unknown macro '" + n.name + "'");
    }
    return std::nullopt;
  }
  MacroDef& m = it->second;
  m.used = true;
  if (m.state == MacroDef::State::kChecking) {
    std::string path;
    for (const auto& s : macro_stack_) path += s + " -> ";
    Error(f, n.offset, "E210", "macro '" + n.name + "' refers to itself (" + path + n.name + ")");
    return std::nullopt;
  }
  if (m.state == MacroDef::State::kUnchecked) CheckMacro(m);
  if (m.state != MacroDef::State::kValid) return std::nullopt;  // reported at the macro
  if (macro_stack_.size() >= static_cast<size_t>(kMaxDepth)) {
    Error(f, n.offset, "E214", "macros nest deeper than " + std::to_string(kMaxDepth) + " levels");
    return std::nullopt;
  }
  Diagnostics inner;
  Frame mf{&m.where, &inner, f.budget};
  mf.text = f.text;
  macro_stack_.push_back(m.name);
  if (!m.appended.empty()) Write(f, "(or ");
  auto cc = Node(*m.ast, mf);
  if (cc && !m.appended.empty()) {  // the macro is its condition `or` each appended one
    std::vector<NodePtr> nodes;
    std::vector<KindConstraint> kinds;
    nodes.push_back(std::move(cc->node));
    kinds.push_back(std::move(cc->kinds));
    for (const auto& part : m.appended) {
      Frame pf{&part.where, &inner, f.budget};
      pf.text = f.text;
      Write(f, " ");
      auto pc = Node(*part.ast, pf);
      if (!pc) {
        cc.reset();
        break;
      }
      nodes.push_back(std::move(pc->node));
      kinds.push_back(std::move(pc->kinds));
    }
    Write(f, ")");
    if (cc) cc = CompiledCondition{MakeOr(std::move(nodes)), OrKinds(kinds), {}};
  }
  macro_stack_.pop_back();
  if (!cc && !f.budget_reported) {
    std::string why = inner.items().empty() ? "it is invalid" : inner.items()[0].message;
    Error(f, n.offset, "E214", "expanding macro '" + n.name + "' failed: " + why);
    f.budget_reported = true;
  }
  return cc;
}

bool ConditionCompiler::Values(const AstNode& n, Frame& f, std::vector<AstOperand>* out) {
  auto expand = [&](const AstOperand& ref, ListDef& list) {
    list.used = true;
    for (const auto& item : list.items) out->push_back({item, true, ref.offset});
  };
  if (n.list_name) {
    const AstOperand& ref = n.operands[0];
    auto it = lists_.find(ref.text);
    if (it == lists_.end()) {
      Error(f, ref.offset, "E208", "unknown list '" + ref.text + "'");
      return false;
    }
    expand(ref, it->second);
    return true;
  }
  for (const AstOperand& o : n.operands) {
    auto it = o.quoted ? lists_.end() : lists_.find(o.text);
    if (it != lists_.end()) {
      expand(o, it->second);
    } else {
      out->push_back(o);
    }
  }
  return true;
}

std::optional<CompiledCondition> ConditionCompiler::Predicate(const AstNode& n, Frame& f) {
  std::optional<FieldId> id = fields_.Find(n.name);
  if (!id) {
    std::string hint = macros_.count(n.name) ? " ('" + n.name + "' is a macro; macros take no operator)" : "";
    Error(f, n.offset, "E206", "unknown field '" + n.name + "'" + hint);
    return std::nullopt;
  }
  const FieldInfo& info = fields_.Info(*id);
  const FieldType type = info.type;
  const Op op = n.op;
  const std::string op_text(OpName(op));
  if (op == Op::kExists) {
    Write(f, "(" + info.name + " exists)");
    return CompiledCondition{MakeExists(*id), {}, {}};
  }

  const bool single = op == Op::kEq || op == Op::kNe || IsOrdering(op);
  if (single && n.parenthesized) {
    Error(f, n.op_offset, "E205", "'" + op_text + "' takes one value; use 'in (...)' for several");
    return std::nullopt;
  }
  std::vector<AstOperand> vals;
  if (!Values(n, f, &vals)) return std::nullopt;
  if (f.text) {
    // Every operator with several values means "any of them", and `=` is `in` with one
    // value: the normal form writes `=` as `in` and the values sorted, without repeats.
    std::set<std::string_view> sorted;
    for (const AstOperand& v : vals) sorted.insert(v.text);
    *f.text += "(" + info.name + " " + std::string(OpName(op == Op::kEq ? Op::kIn : op));
    for (std::string_view v : sorted) *f.text += " " + std::to_string(v.size()) + ":" + std::string(v);
    *f.text += ")";
  }
  if (single && vals.size() != 1) {
    Error(f, n.op_offset, "E205", "'" + op_text + "' takes one value");
    return std::nullopt;
  }
  auto mismatch = [&](const std::string& why) {
    Error(f, n.op_offset, "E207", "operator '" + op_text + "' " + why + "; '" + info.name + "' is " +
                                      std::string(FieldTypeName(type)));
    return std::nullopt;
  };
  auto bad_value = [&](const AstOperand& v, std::string_view want) {
    Error(f, v.offset, "E207", "'" + v.text + "' is not " + std::string(want) + " (field '" + info.name +
                                   "' is " + std::string(FieldTypeName(type)) + ")");
    return std::nullopt;
  };
  AstOperand bad;
  switch (type) {
    case FieldType::kString:
    case FieldType::kList: {
      if (IsOrdering(op)) return mismatch("needs a number, time or duration field");
      std::vector<std::string> needles;
      std::vector<std::unique_ptr<RE2>> regexes;
      for (const AstOperand& v : vals) {
        if (op == Op::kRegex) {
          RE2::Options opts;
          opts.set_log_errors(false);
          opts.set_max_mem(8 << 20);
          auto re = std::make_unique<RE2>(v.text, opts);
          if (!re->ok()) {
            Error(f, v.offset, "E209", "bad regex '" + v.text + "': " + re->error());
            return std::nullopt;
          }
          regexes.push_back(std::move(re));
        }
        needles.push_back(v.text);
      }
      KindConstraint kinds;
      // Only `=`, `in` and (for datasets) `startswith` constrain the kind; `!=` and the other
      // string operators leave it open. event.category and event.action take exact values.
      const bool exact = op == Op::kEq || op == Op::kIn;
      if ((exact || op == Op::kStartsWith) &&
          (*id == ecs::kEventDataset || *id == ecs::kEventCategory || *id == ecs::kEventAction)) {
        ValueSet set;
        for (const auto& s : needles) (op == Op::kStartsWith ? set.prefixes : set.exact).insert(s);
        if (*id == ecs::kEventDataset) {
          kinds.dataset = std::move(set);
        } else if (exact && *id == ecs::kEventCategory) {
          kinds.category = std::move(set);
        } else if (exact) {
          kinds.action = std::move(set);
        }
        if (vals.empty()) kinds.never = true;
      } else if (exact && type == FieldType::kString) {
        kinds.equals.emplace(*id, std::set<std::string>(needles.begin(), needles.end()));
        if (vals.empty()) kinds.never = true;
      }
      StringMatcher m(op == Op::kNe ? Op::kEq : op, std::move(needles), std::move(regexes));
      return CompiledCondition{MakeStringPredicate(*id, op == Op::kNe, std::move(m)), std::move(kinds), {}};
    }
    case FieldType::kIp: {
      if (op != Op::kEq && op != Op::kNe && op != Op::kIn) {
        return mismatch("does not apply to addresses (use =, != or in with addresses and CIDRs)");
      }
      std::vector<IpNetwork> nets;
      if (!ConvertAll(vals, [](std::string_view s) { return IpNetwork::Parse(s); }, &nets, &bad)) {
        return bad_value(bad, "an ip address or CIDR");
      }
      return CompiledCondition{MakeIpPredicate(*id, op == Op::kNe, std::move(nets)), {}, {}};
    }
    case FieldType::kBool: {
      if (op != Op::kEq && op != Op::kNe) return mismatch("does not apply to booleans (use = or !=)");
      std::vector<bool> bs;
      auto parse = [](std::string_view s) -> std::optional<bool> {
        if (s == "true") return true;
        if (s == "false") return false;
        return std::nullopt;
      };
      if (!ConvertAll(vals, parse, &bs, &bad)) return bad_value(bad, "true or false");
      return CompiledCondition{MakeOrderedPredicate<bool>(*id, op, std::move(bs)), {}, {}};
    }
    case FieldType::kInt:
    case FieldType::kDouble:
    case FieldType::kTime:
    case FieldType::kDuration:
      break;
  }
  if (IsStringOp(op)) return mismatch("needs a string or list field");
  switch (type) {
    case FieldType::kInt: {
      std::vector<int64_t> xs;
      if (!ConvertAll(vals, ParseInt64, &xs, &bad)) return bad_value(bad, "an integer");
      return CompiledCondition{MakeOrderedPredicate<int64_t>(*id, op, std::move(xs)), {}, {}};
    }
    case FieldType::kDouble: {
      std::vector<double> xs;
      if (!ConvertAll(vals, ParseDouble, &xs, &bad)) return bad_value(bad, "a number");
      return CompiledCondition{MakeOrderedPredicate<double>(*id, op, std::move(xs)), {}, {}};
    }
    case FieldType::kTime: {
      std::vector<Timestamp> xs;
      if (!ConvertAll(vals, ParseRfc3339, &xs, &bad)) return bad_value(bad, "an RFC 3339 time");
      return CompiledCondition{MakeOrderedPredicate<Timestamp>(*id, op, std::move(xs)), {}, {}};
    }
    default: {
      std::vector<Duration> xs;
      if (!ConvertAll(vals, [](std::string_view s) { return ParseDuration(s); }, &xs, &bad)) {
        return bad_value(bad, "a duration (e.g. 500ms, 30s, 5m, 2h, 7d)");
      }
      return CompiledCondition{MakeOrderedPredicate<Duration>(*id, op, std::move(xs)), {}, {}};
    }
  }
}

}  // namespace vigil::rules
