#include "compiled_condition.h"

#include <algorithm>
#include <type_traits>

#include "flat_string_map.h"  // SameBytes
#include "glob_match.h"

namespace vigil::rules {
namespace {

constexpr size_t kLinearSetMax = 8;  // up to this many needles, compare one by one

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Finds a lowercase needle in s, folding ASCII case of s on the fly.
bool IContains(std::string_view s, std::string_view lower_needle) {
  if (lower_needle.empty()) return true;
  if (lower_needle.size() > s.size()) return false;
  const size_t last = s.size() - lower_needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (Lower(s[i]) != lower_needle[0]) continue;
    size_t j = 1;
    while (j < lower_needle.size() && Lower(s[i + j]) == lower_needle[j]) ++j;
    if (j == lower_needle.size()) return true;
  }
  return false;
}

class AndNode : public ConditionNode {
 public:
  explicit AndNode(std::vector<NodePtr> c) : children_(std::move(c)) {}
  bool Eval(const Event& e) const override {
    for (const auto& c : children_) if (!c->Eval(e)) return false;
    return true;
  }
  std::span<const NodePtr> AndChildren() const override { return children_; }

 private:
  std::vector<NodePtr> children_;
};

class OrNode : public ConditionNode {
 public:
  explicit OrNode(std::vector<NodePtr> c) : children_(std::move(c)) {}
  bool Eval(const Event& e) const override {
    for (const auto& c : children_) if (c->Eval(e)) return true;
    return false;
  }

 private:
  std::vector<NodePtr> children_;
};

class NotNode : public ConditionNode {
 public:
  explicit NotNode(NodePtr c) : child_(std::move(c)) {}
  bool Eval(const Event& e) const override { return !child_->Eval(e); }

 private:
  NodePtr child_;
};

class ExistsNode : public ConditionNode {
 public:
  explicit ExistsNode(FieldId f) : field_(f) {}
  bool Eval(const Event& e) const override { return e.Has(field_); }
  std::optional<FieldId> OnlyField() const override { return field_; }
  Cost cost() const override { return Cost::kScalar; }

 private:
  FieldId field_;
};

class StringPredicate : public ConditionNode {
 public:
  StringPredicate(FieldId f, bool negate, StringMatcher m) : field_(f), negate_(negate), m_(std::move(m)) {}
  bool Eval(const Event& e) const override {
    const Value* v = e.Get(field_);
    if (v == nullptr) return false;
    if (const auto* s = std::get_if<std::string>(v)) return m_.Match(*s) != negate_;
    if (const auto* l = std::get_if<StringList>(v)) {
      for (const std::string& item : *l) {
        if (m_.Match(item)) return !negate_;
      }
      return negate_;
    }
    return false;
  }
  std::optional<FieldId> OnlyField() const override { return field_; }
  Cost cost() const override { return m_.equality() ? Cost::kStringEq : Cost::kString; }
  bool StringEquals(FieldId* field, bool* negate, std::string_view* needle) const override {
    const std::string* only = m_.single();
    if (only == nullptr) return false;
    *field = field_;
    *negate = negate_;
    *needle = *only;
    return true;
  }

 private:
  FieldId field_;
  bool negate_;
  StringMatcher m_;
};

template <typename T>
class OrderedPredicate : public ConditionNode {
 public:
  OrderedPredicate(FieldId f, Op op, std::vector<T> values) : field_(f), op_(op), values_(std::move(values)) {}
  bool Eval(const Event& e) const override {
    const Value* v = e.Get(field_);
    if (v == nullptr) return false;
    const T* x = std::get_if<T>(v);
    if (x == nullptr) return false;
    switch (op_) {
      case Op::kEq: return *x == values_[0];
      case Op::kNe: return !(*x == values_[0]);
      case Op::kLt: return *x < values_[0];
      case Op::kLe: return *x <= values_[0];
      case Op::kGt: return *x > values_[0];
      case Op::kGe: return *x >= values_[0];
      case Op::kIn:
        return std::find(values_.begin(), values_.end(), *x) != values_.end();
      default: return false;
    }
  }
  std::optional<FieldId> OnlyField() const override { return field_; }
  Cost cost() const override { return Cost::kScalar; }
  bool IntCompare(FieldId* field, Op* op, int64_t* value) const override {
    if constexpr (!std::is_same_v<T, int64_t>) {
      return false;
    } else {
      if (values_.size() != 1 || op_ == Op::kExists || op_ > Op::kIn) return false;
      *field = field_;
      *op = op_ == Op::kIn ? Op::kEq : op_;
      *value = values_[0];
      return true;
    }
  }

 private:
  FieldId field_;
  Op op_;
  std::vector<T> values_;
};

class IpPredicate : public ConditionNode {
 public:
  IpPredicate(FieldId f, bool negate, std::vector<IpNetwork> n) : field_(f), negate_(negate), nets_(std::move(n)) {}
  bool Eval(const Event& e) const override {
    const IpAddress* ip = e.GetIp(field_);
    if (ip == nullptr) return false;
    for (const IpNetwork& n : nets_) {
      if (n.Contains(*ip)) return !negate_;
    }
    return negate_;
  }
  std::optional<FieldId> OnlyField() const override { return field_; }
  Cost cost() const override { return Cost::kScalar; }

 private:
  FieldId field_;
  bool negate_;
  std::vector<IpNetwork> nets_;
};

}  // namespace

StringMatcher::StringMatcher(Op op, std::vector<std::string> needles,
                             std::vector<std::unique_ptr<RE2>> regexes)
    : op_(op == Op::kIn ? Op::kEq : op) {
  if (op_ == Op::kEq && needles.size() == 1) {
    single_ = true;
    only_ = std::move(needles[0]);
    return;
  }
  many_ = std::make_unique<Needles>();
  many_->regexes = std::move(regexes);
  if (op_ == Op::kIContains) {
    for (std::string& n : needles) std::transform(n.begin(), n.end(), n.begin(), Lower);
  }
  if (op_ == Op::kEq && needles.size() > kLinearSetMax) {
    many_->set.insert(needles.begin(), needles.end());
  } else {
    many_->list = std::move(needles);
  }
}

bool StringMatcher::Match(std::string_view s) const {
  if (single_) return s.size() == only_.size() && SameBytes(s.data(), only_.data(), s.size());
  const std::vector<std::string>& needles = many_->list;
  switch (op_) {
    case Op::kEq:
      if (!many_->set.empty()) return many_->set.find(s) != many_->set.end();
      for (const std::string& n : needles) if (s == n) return true;
      return false;
    case Op::kContains:
      for (const std::string& n : needles) if (s.find(n) != std::string_view::npos) return true;
      return false;
    case Op::kIContains:
      for (const std::string& n : needles) if (IContains(s, n)) return true;
      return false;
    case Op::kStartsWith:
      for (const std::string& n : needles) if (s.starts_with(n)) return true;
      return false;
    case Op::kEndsWith:
      for (const std::string& n : needles) if (s.ends_with(n)) return true;
      return false;
    case Op::kGlob:
      for (const std::string& n : needles) if (GlobMatch(n, s)) return true;
      return false;
    case Op::kRegex:
      for (const auto& re : many_->regexes) {
        if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re)) return true;
      }
      return false;
    default:
      return false;
  }
}

NodePtr MakeAnd(std::vector<NodePtr> children) {
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<AndNode>(std::move(children));
}
NodePtr MakeOr(std::vector<NodePtr> children) {
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<OrNode>(std::move(children));
}
NodePtr MakeNot(NodePtr child) { return std::make_unique<NotNode>(std::move(child)); }
NodePtr MakeExists(FieldId field) { return std::make_unique<ExistsNode>(field); }

NodePtr MakeStringPredicate(FieldId field, bool negate, StringMatcher matcher) {
  return std::make_unique<StringPredicate>(field, negate, std::move(matcher));
}

template <typename T>
NodePtr MakeOrderedPredicate(FieldId field, Op op, std::vector<T> values) {
  return std::make_unique<OrderedPredicate<T>>(field, op, std::move(values));
}
template NodePtr MakeOrderedPredicate<int64_t>(FieldId, Op, std::vector<int64_t>);
template NodePtr MakeOrderedPredicate<double>(FieldId, Op, std::vector<double>);
template NodePtr MakeOrderedPredicate<bool>(FieldId, Op, std::vector<bool>);
template NodePtr MakeOrderedPredicate<Timestamp>(FieldId, Op, std::vector<Timestamp>);
template NodePtr MakeOrderedPredicate<Duration>(FieldId, Op, std::vector<Duration>);

NodePtr MakeIpPredicate(FieldId field, bool negate, std::vector<IpNetwork> networks) {
  return std::make_unique<IpPredicate>(field, negate, std::move(networks));
}

}  // namespace vigil::rules
