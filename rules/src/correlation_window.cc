#include "correlation_window.h"

#include <algorithm>
#include <iterator>

#include "output_template.h"

namespace vigil::rules {
namespace {

constexpr size_t kMaxExpiredDropsPerFeed = 4;  // amortised clean-up of dead groups
constexpr std::string_view kMissing = "<NA>";

}  // namespace

CorrelationWindows::CorrelationWindows(const CorrelationSpec& spec, size_t max_groups, size_t max_entries)
    : spec_(&spec), max_groups_(std::max<size_t>(1, max_groups)), max_entries_(std::max<size_t>(1, max_entries)) {}

std::optional<CorrelationInfo> CorrelationWindows::Feed(const Event& event, size_t source) {
  std::string value;
  if (spec_->type == CorrelationType::kValueCount || spec_->new_terms()) {
    const Value* v = event.Get(*spec_->field);
    if (v == nullptr) return std::nullopt;  // nothing to count or learn
    AppendValueText(*v, &value);
  }
  if (spec_->closes()) {
    FeedClosing(event, std::move(value));
    return std::nullopt;
  }
  const Timestamp t = event.time();
  if (!seen_ || t > watermark_) {
    if (!seen_) learning_until_ = AddClamped(t, spec_->learning);
    watermark_ = t;
    seen_ = true;
  }
  const Timestamp low = watermark_ - spec_->timespan;
  if (t < low) {
    ++late_events_;
    return std::nullopt;
  }
  Group& g = Touch(event);
  Prune(g, low);
  bool is_new = false;
  switch (spec_->type) {
    case CorrelationType::kEventCount:
      g.times.insert(t);
      Cap(g.times, max_entries_);
      break;
    case CorrelationType::kValueCount:
    case CorrelationType::kNewTerms:
      is_new = Remember(g, std::move(value), t);
      break;
    case CorrelationType::kTemporal:
    case CorrelationType::kTemporalOrdered:
      g.per_rule[source].insert(t);
      Cap(g.per_rule[source], std::max<size_t>(1, max_entries_ / spec_->rule_ids.size()));
      break;
  }
  DropExpiredTail(low);
  ++changes_;
  if (spec_->new_terms()) {
    // A value is new when the group has not had it within the timespan (Prune forgot older
    // ones); the group's history is kept, not reset. Nothing alerts while learning.
    if (!is_new || watermark_ < learning_until_) return std::nullopt;
    return Info(g, g.distinct.size(), t, t);
  }
  return Check(g);
}

CorrelationWindows::Group& CorrelationWindows::Touch(const Event& event) {
  // Key: each value length-prefixed, so no two groups share a key; a missing field is "!".
  key_.clear();
  std::string text;
  for (FieldId f : spec_->group_by) {
    const Value* v = event.Get(f);
    if (v == nullptr) {
      key_ += '!';
      continue;
    }
    text.clear();
    AppendValueText(*v, &text);
    key_ += std::to_string(text.size());
    key_ += ':';
    key_ += text;
  }
  if (auto it = by_key_.find(key_); it != by_key_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return lru_.front();
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (size_t i = 0; i < spec_->group_by.size(); ++i) {
    text.clear();
    if (const Value* v = event.Get(spec_->group_by[i])) {
      AppendValueText(*v, &text);
    } else {
      text = kMissing;
    }
    values.emplace_back(spec_->group_by_names[i], text);
  }
  return Insert(key_, std::move(values));
}

CorrelationWindows::Group& CorrelationWindows::Insert(const std::string& key,
                                                      std::vector<std::pair<std::string, std::string>> values) {
  if (by_key_.size() >= max_groups_) {
    if (!spec_->closes()) DropExpiredTail(watermark_ - spec_->timespan);
    if (by_key_.size() >= max_groups_) {
      Forget(std::prev(lru_.end()));
      ++evicted_groups_;
    }
  }
  Group g;
  g.key = key;
  g.values = std::move(values);
  if (spec_->temporal()) g.per_rule.resize(spec_->rule_ids.size());
  lru_.push_front(std::move(g));
  by_key_.emplace(lru_.front().key, lru_.begin());
  return lru_.front();
}

void CorrelationWindows::Forget(GroupList::iterator it) {
  if (Journaling()) JournalDroppedGroup(it->key);
  if (it->close_seq != 0) closes_.erase({AddClamped(it->opened, spec_->timespan), it->close_seq, it->key});
  by_key_.erase(it->key);
  lru_.erase(it);
}

void CorrelationWindows::FeedClosing(const Event& event, std::string&& value) {
  const Timestamp t = event.time();
  Group& g = Touch(event);
  if (g.close_seq == 0) {
    g.opened = g.first = g.last = t;
    g.close_seq = ++close_seq_;
    closes_.emplace(AddClamped(t, spec_->timespan), g.close_seq, g.key);
  } else if (t < g.opened || t > AddClamped(g.opened, spec_->timespan)) {
    ++late_events_;  // before the window (or after it, when fed without Advance)
    return;
  }
  ++g.count;
  // A value_count window needs no more than threshold + 1 values to know "not fewer".
  if (spec_->type == CorrelationType::kValueCount && g.distinct.size() <= spec_->threshold) {
    g.distinct.emplace(std::move(value), t);
  }
  g.first = std::min(g.first, t);
  if (t >= g.last || !g.last_event) {
    g.last = t;
    g.last_event = event;
  }
}

void CorrelationWindows::Advance(Timestamp now, std::vector<std::pair<CorrelationInfo, Event>>& fired) {
  while (!closes_.empty() && std::get<0>(*closes_.begin()) < now) {
    auto it = by_key_.find(std::get<2>(*closes_.begin()));
    if (it == by_key_.end()) {  // cannot happen: Forget removes the close of a dropped group
      closes_.erase(closes_.begin());
      continue;
    }
    Group& g = *it->second;
    const uint64_t count = spec_->type == CorrelationType::kValueCount ? g.distinct.size() : g.count;
    if (spec_->Holds(count)) fired.emplace_back(Info(g, count, g.first, g.last), std::move(*g.last_event));
    Forget(it->second);
  }
}

bool CorrelationWindows::Empty(const Group& g) {
  if (!g.times.empty() || !g.distinct.empty()) return false;
  return std::all_of(g.per_rule.begin(), g.per_rule.end(), [](const auto& s) { return s.empty(); });
}

Timestamp CorrelationWindows::Newest(const Group& g) {
  Timestamp n{};
  if (!g.times.empty()) n = std::max(n, *g.times.rbegin());
  if (!g.by_time.empty()) n = std::max(n, g.by_time.rbegin()->first);
  for (const auto& s : g.per_rule) {
    if (!s.empty()) n = std::max(n, *s.rbegin());
  }
  return n;
}

// Least recently updated groups whose every entry left the window hold nothing that can
// fire again: drop a few per call (never the front, the group being fed).
void CorrelationWindows::DropExpiredTail(Timestamp low) {
  for (size_t n = 0; n < kMaxExpiredDropsPerFeed && lru_.size() > 1; ++n) {
    const Group& tail = lru_.back();
    if (!Empty(tail) && Newest(tail) >= low) return;
    by_key_.erase(tail.key);
    lru_.pop_back();
  }
}

void CorrelationWindows::Prune(Group& g, Timestamp low) {
  auto prune = [low](std::multiset<Timestamp>& s) { s.erase(s.begin(), s.lower_bound(low)); };
  prune(g.times);
  for (auto& s : g.per_rule) prune(s);
  while (!g.by_time.empty() && g.by_time.begin()->first < low) {
    g.distinct.erase(g.by_time.begin()->second);
    g.by_time.erase(g.by_time.begin());
  }
}

void CorrelationWindows::CapDistinct(Group& g) {
  while (g.distinct.size() > max_entries_) {
    auto oldest = g.by_time.begin();
    if (Journaling()) JournalDroppedValue(g.key, oldest->second);
    g.distinct.erase(oldest->second);
    g.by_time.erase(oldest);
    ++evicted_entries_;
  }
}

void CorrelationWindows::ForEachValue(const ValueVisitor& fn) const {
  for (auto g = lru_.rbegin(); g != lru_.rend(); ++g) {  // least recently updated first
    for (const auto& [t, value] : g->by_time) fn(g->key, g->values, value, t);
  }
}

void CorrelationWindows::StartJournal() {
  journal_on_ = spec_->new_terms();
  journal_overflow_ = false;
  changed_values_.clear();
  dropped_values_.clear();
  dropped_groups_.clear();
}

void CorrelationWindows::JournalFull() {
  journal_overflow_ = true;
  changed_values_.clear();
  dropped_values_.clear();
  dropped_groups_.clear();
}

void CorrelationWindows::JournalChanged(const std::string& key, const std::string& value) {
  changed_values_.emplace(key, value);
  if (JournalSize() > kJournalLimit) JournalFull();
}

void CorrelationWindows::JournalDroppedValue(const std::string& key, const std::string& value) {
  dropped_values_.emplace(key, value);
  if (JournalSize() > kJournalLimit) JournalFull();
}

void CorrelationWindows::JournalDroppedGroup(const std::string& key) {
  dropped_groups_.insert(key);
  if (JournalSize() > kJournalLimit) JournalFull();
}

void CorrelationWindows::ForEachChangedValue(const ValueVisitor& fn) const {
  for (const auto& [key, value] : changed_values_) {
    auto g = by_key_.find(key);
    if (g == by_key_.end()) continue;  // dropped since
    auto v = g->second->distinct.find(value);
    if (v != g->second->distinct.end()) fn(key, g->second->values, v->first, v->second);
  }
}

void CorrelationWindows::Restore(Timestamp watermark, Timestamp learning_until) {
  if (!seen_ || watermark > watermark_) watermark_ = watermark;
  if (!seen_) learning_until_ = learning_until;
  seen_ = true;
}

bool CorrelationWindows::RestoreValue(const std::string& key, std::vector<std::pair<std::string, std::string>> group,
                                      std::string value, Timestamp t) {
  if (!spec_->new_terms() || !seen_ || group.size() != spec_->group_by.size()) return false;
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i].first != spec_->group_by_names[i]) return false;
  }
  if (t < watermark_ - spec_->timespan || t > watermark_) return false;  // forgotten by now, or from the future
  auto found = by_key_.find(key);
  if (found != by_key_.end()) lru_.splice(lru_.begin(), lru_, found->second);
  Remember(found != by_key_.end() ? lru_.front() : Insert(key, std::move(group)), std::move(value), t);
  return true;
}

bool CorrelationWindows::Remember(Group& g, std::string value, Timestamp t) {
  auto it = g.distinct.find(value);
  const bool is_new = it == g.distinct.end();
  if (is_new) {
    if (Journaling()) JournalChanged(g.key, value);
    g.distinct.emplace(value, t);
    g.by_time.emplace(t, std::move(value));
  } else if (it->second < t) {
    if (Journaling()) JournalChanged(g.key, it->first);
    g.by_time.erase({it->second, it->first});
    it->second = t;
    g.by_time.emplace(t, it->first);
  }
  CapDistinct(g);
  return is_new;
}

void CorrelationWindows::Rebind(const CorrelationSpec& spec, size_t max_groups, size_t max_entries) {
  spec_ = &spec;
  max_groups_ = std::max<size_t>(1, max_groups);
  max_entries_ = std::max<size_t>(1, max_entries);
  while (by_key_.size() > max_groups_) {
    Forget(std::prev(lru_.end()));
    ++evicted_groups_;
  }
  if (spec_->closes()) return;  // a closing window holds counts, and at most threshold + 1 values
  for (Group& g : lru_) {
    Cap(g.times, max_entries_);
    for (auto& s : g.per_rule) Cap(s, std::max<size_t>(1, max_entries_ / spec_->rule_ids.size()));
    CapDistinct(g);
  }
}

void CorrelationWindows::Cap(std::multiset<Timestamp>& times, size_t cap) {
  while (times.size() > cap) {
    times.erase(times.begin());
    ++evicted_entries_;
  }
}

CorrelationInfo CorrelationWindows::Info(const Group& g, uint64_t count, Timestamp first, Timestamp last) const {
  CorrelationInfo info;
  info.type = std::string(CorrelationTypeName(spec_->type));
  info.group = g.values;
  info.count = count;
  info.first = first;
  info.last = last;
  return info;
}

std::optional<CorrelationInfo> CorrelationWindows::Check(Group& g) {
  std::optional<CorrelationInfo> fired;
  switch (spec_->type) {
    case CorrelationType::kEventCount:
      if (spec_->Holds(g.times.size())) fired = Info(g, g.times.size(), *g.times.begin(), *g.times.rbegin());
      break;
    case CorrelationType::kValueCount:
      if (spec_->Holds(g.distinct.size())) {
        fired = Info(g, g.distinct.size(), g.by_time.begin()->first, g.by_time.rbegin()->first);
      }
      break;
    case CorrelationType::kNewTerms:  // decided in Feed
      break;
    case CorrelationType::kTemporal:
    case CorrelationType::kTemporalOrdered: {
      Timestamp first, last;
      if (FindTemporal(g, &first, &last)) fired = Info(g, spec_->rule_ids.size(), first, last);
      break;
    }
  }
  if (fired) Reset(g);
  return fired;
}

// Every entry is inside the window, so an unordered temporal fires as soon as each listed
// rule has an entry; an ordered one needs entries t1 <= t2 <= ... in list order (found
// greedily: the earliest possible match of each rule after the previous one).
bool CorrelationWindows::FindTemporal(const Group& g, Timestamp* first, Timestamp* last) const {
  for (const auto& s : g.per_rule) {
    if (s.empty()) return false;
  }
  if (spec_->type == CorrelationType::kTemporal) {
    *first = *g.per_rule[0].begin();
    *last = *g.per_rule[0].rbegin();
    for (const auto& s : g.per_rule) {
      *first = std::min(*first, *s.begin());
      *last = std::max(*last, *s.rbegin());
    }
    return true;
  }
  Timestamp cur = *g.per_rule[0].begin();
  *first = cur;
  for (size_t i = 1; i < g.per_rule.size(); ++i) {
    auto it = g.per_rule[i].lower_bound(cur);
    if (it == g.per_rule[i].end()) return false;
    cur = *it;
  }
  *last = cur;
  return true;
}

void CorrelationWindows::Reset(Group& g) {
  g.times.clear();
  g.distinct.clear();
  g.by_time.clear();
  for (auto& s : g.per_rule) s.clear();
}

}  // namespace vigil::rules
