// SuppressionWindows: merges repeats of one rule's alerts (docs/rules.md, "Suppression").
//
// A window is keyed by the values of the `by` fields in the alert's event (one window per
// rule without `by`). The first alert of a key goes out at once and opens a window
// [t, t + window] on event time. A later alert of the same key whose time is not after the
// window's end is merged: not sent, counted. When event time passes the end (Advance), the
// window closes, and if anything was merged one summary alert goes out: the last merged
// alert with its `suppression` count, first and last times set. CloseAll (end of
// stream) closes every window the same way. So nothing is dropped silently: every alert
// either goes out or is counted in a summary that goes out.
//
// Memory is bounded: at most `max_keys` open windows; opening one more closes the window
// that ends first early (its summary goes out), counted in early_closes().
//
// Not thread-safe: owned by one RuleSet, used by its thread.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "correlation_spec.h"
#include "vigil/rules/alert.h"

namespace vigil::rules {

class SuppressionWindows {
 public:
  SuppressionWindows(const SuppressionSpec& spec, size_t max_keys);

  // Closes the windows that end before `now`, appending their summaries to `out`.
  void Advance(Timestamp now, std::vector<Alert>& out);
  // Appends `alert` to `out` when it opens a window; otherwise merges it.
  void Offer(Alert&& alert, std::vector<Alert>& out);
  // Closes every window, appending the summaries in the order the windows end.
  void CloseAll(std::vector<Alert>& out);

  // A reload kept this state for a rule with an equal definition (RuleSet::AdoptState):
  // from now on `spec` (the new rule's, equal to the old one) is used, with the new cap;
  // windows over it are closed early now (summaries to `out`, counted in early_closes()).
  void Rebind(const SuppressionSpec& spec, size_t max_keys, std::vector<Alert>& out);
  // Calls `fn` on the alert each open window would send as its summary (the latest merged
  // repeat), to refresh its rule metadata after a reload.
  template <typename Fn>
  void ForEachPending(Fn&& fn) {
    for (auto& [key, w] : open_) {
      if (w.repeats > 0) fn(w.last);
    }
  }

  size_t open() const { return open_.size(); }
  uint64_t suppressed() const { return suppressed_; }
  uint64_t summaries() const { return summaries_; }
  uint64_t early_closes() const { return early_closes_; }

 private:
  struct Window {
    Timestamp opened;  // the opening alert's time
    Timestamp end;
    uint64_t seq = 0;  // opening order, to break ties between equal ends
    uint64_t repeats = 0;
    Timestamp first_repeat, last_repeat;
    Alert last;  // the latest merged repeat
  };
  using EndKey = std::tuple<Timestamp, uint64_t, std::string>;

  void Close(std::set<EndKey>::iterator it, std::vector<Alert>& out);

  const SuppressionSpec* spec_;  // the owning rule's (Rebind moves it to a new rule)
  size_t max_keys_;
  std::unordered_map<std::string, Window> open_;
  std::set<EndKey> by_end_;  // (end, seq, key) of each open window
  uint64_t seq_ = 0;
  uint64_t suppressed_ = 0;
  uint64_t summaries_ = 0;
  uint64_t early_closes_ = 0;
};

}  // namespace vigil::rules
