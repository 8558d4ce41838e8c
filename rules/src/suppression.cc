#include "suppression.h"

#include <algorithm>

#include "output_template.h"

namespace vigil::rules {

SuppressionWindows::SuppressionWindows(const SuppressionSpec& spec, size_t max_keys)
    : spec_(&spec), max_keys_(std::max<size_t>(1, max_keys)) {}

void SuppressionWindows::Advance(Timestamp now, std::vector<Alert>& out) {
  while (!by_end_.empty() && std::get<0>(*by_end_.begin()) < now) Close(by_end_.begin(), out);
}

void SuppressionWindows::Rebind(const SuppressionSpec& spec, size_t max_keys, std::vector<Alert>& out) {
  spec_ = &spec;
  max_keys_ = std::max<size_t>(1, max_keys);
  while (open_.size() > max_keys_) {
    Close(by_end_.begin(), out);
    ++early_closes_;
  }
}

void SuppressionWindows::CloseAll(std::vector<Alert>& out) {
  while (!by_end_.empty()) Close(by_end_.begin(), out);
}

void SuppressionWindows::Close(std::set<EndKey>::iterator it, std::vector<Alert>& out) {
  auto w = open_.find(std::get<2>(*it));
  if (w != open_.end()) {
    if (w->second.repeats > 0) {
      Alert summary = std::move(w->second.last);
      summary.suppression = SuppressionInfo{.count = w->second.repeats,
                                            .first = w->second.first_repeat,
                                            .last = w->second.last_repeat,
                                            .key = w->first,
                                            .opened = w->second.opened};
      out.push_back(std::move(summary));
      ++summaries_;
    }
    open_.erase(w);
  }
  by_end_.erase(it);
}

void SuppressionWindows::Offer(Alert&& alert, std::vector<Alert>& out) {
  std::string key;
  for (FieldId f : spec_->by) {
    if (const Value* v = alert.event->Get(f)) {
      std::string text;
      AppendValueText(*v, &text);
      key += std::to_string(text.size()) + ":" + text;
    } else {
      key += '!';
    }
  }
  const Timestamp t = alert.timestamp;
  if (auto it = open_.find(key); it != open_.end()) {
    Window& w = it->second;
    if (t <= w.end) {
      if (w.repeats == 0 || t < w.first_repeat) w.first_repeat = t;
      if (w.repeats == 0 || t >= w.last_repeat) {
        w.last_repeat = t;
        w.last = std::move(alert);
      }
      ++w.repeats;
      ++suppressed_;
      return;
    }
    // After the end, though event time has not closed it yet (an out-of-order stream):
    // close it now, then open a new one below.
    Close(by_end_.find({w.end, w.seq, key}), out);
  }
  if (open_.size() >= max_keys_) {
    Close(by_end_.begin(), out);
    ++early_closes_;
  }
  Window w;
  w.opened = t;
  w.end = AddClamped(t, spec_->window);
  w.seq = seq_++;
  by_end_.emplace(w.end, w.seq, key);
  alert.suppression = SuppressionInfo{.key = key};
  open_.emplace(std::move(key), std::move(w));
  out.push_back(std::move(alert));
}

}  // namespace vigil::rules
