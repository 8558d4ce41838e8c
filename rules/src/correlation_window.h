// CorrelationWindows: the sliding-window state of one correlation rule, one window per
// group (the values of the rule's group_by fields). Semantics in docs/rules.md,
// "Correlation"; in short:
//   - time is event time: the rule's watermark W is the latest @timestamp fed to it, and
//     every window spans [W - timespan, W], both ends included;
//   - an event older than W - timespan is late: not counted, counted in late_events();
//     out-of-order events inside the window are placed where they belong;
//   - after each accepted event, the condition is checked for that event's group; when it
//     holds, Feed returns the CorrelationInfo of the firing and the group's window is emptied
//     (so the next firing needs a full new set of events).
// Conditions lt/lte ("fewer than") are decided when a window closes instead: a group's
// window opens at its first event t0 and closes when event time passes t0 + timespan
// (Advance, driven by the RuleSet's event time); if the count then holds, the rule fires
// with the window's latest event as the trigger. Either way the group is then forgotten.
// Events older than t0 are late. A window still open at the end of the stream never fires.
// new_terms keeps, per group, each value of its field with the time it was last seen, and
// fires on an event whose value the group has not had within [W - timespan, W]; the history
// is never emptied by a firing. For `learning` after the first event it ever saw, it learns
// without firing. Its history can be saved and restored (ForEachValue, RestoreValue).
//
// Memory is bounded: at most `max_groups` groups (a new group evicts the least recently
// updated one, counted in evicted_groups(); groups whose entries all left the window are
// dropped first, uncounted) and at most `max_entries` timestamps or values per group (the
// oldest is dropped, counted in evicted_entries()).
//
// Not thread-safe: owned by one RuleSet, used by its thread.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlation_spec.h"
#include "vigil/event.h"
#include "vigil/rules/alert.h"

namespace vigil::rules {

class CorrelationWindows {
 public:
  CorrelationWindows(const CorrelationSpec& spec, size_t max_groups, size_t max_entries);

  // Feeds one event selected for this rule. `source` is the position in spec.rules of the
  // rule that matched it (temporal types; 0 otherwise). Returns the firing, if any.
  std::optional<CorrelationInfo> Feed(const Event& event, size_t source);
  // lt/lte only: closes the windows that end before `now`; appends each firing with its
  // triggering event.
  void Advance(Timestamp now, std::vector<std::pair<CorrelationInfo, Event>>& fired);

  // A reload kept this state for a rule with an equal definition (RuleSet::AdoptState):
  // from now on `spec` (the new rule's, equal to the old one) is used, with the new caps;
  // groups and entries over them are evicted now, counted as usual.
  void Rebind(const CorrelationSpec& spec, size_t max_groups, size_t max_entries);

  // new_terms history, for persistence across restarts (TermHistoryStore). ForEachValue
  // visits every remembered (group, value, last seen) with the group's key, least recently
  // updated group first. Restore sets the watermark and the end of learning (a state that
  // already saw events keeps its own learning end); RestoreValue then adds one remembered
  // value, through the caps as a fed one would go, and refuses (false) a value whose group
  // does not fit the spec, that the timespan has forgotten, or that is newer than the
  // watermark. changes() grows with every event fed, so a saver knows when to save.
  using ValueVisitor = std::function<void(const std::string& key,
                                          const std::vector<std::pair<std::string, std::string>>& group,
                                          const std::string& value, Timestamp last_seen)>;
  void ForEachValue(const ValueVisitor& fn) const;
  void Restore(Timestamp watermark, Timestamp learning_until);
  bool RestoreValue(const std::string& key, std::vector<std::pair<std::string, std::string>> group, std::string value,
                    Timestamp t);
  Timestamp watermark() const { return watermark_; }
  Timestamp learning_until() const { return learning_until_; }

  // The journal of new_terms history changes, so that a saver writes what changed rather
  // than the whole history. StartJournal() empties it and starts recording: the values
  // remembered or seen again later (changed), and the values and groups dropped by the caps
  // (dropped); values and groups that expired are not recorded, the saver's purge of rows
  // older than the window forgets them. A saver that applies the drops, then writes the
  // changed values still held (ForEachChangedValue), then forgets rows older than the window,
  // holds what ForEachValue visits inside [watermark - timespan, watermark]. The journal is bounded: past kJournalLimit entries it
  // stops recording and journal_complete() turns false (then save everything and start
  // again), as it is before the first StartJournal().
  static constexpr size_t kJournalLimit = 65536;
  void StartJournal();
  bool journal_complete() const { return journal_on_ && !journal_overflow_; }
  const std::set<std::string>& dropped_groups() const { return dropped_groups_; }
  const std::set<std::pair<std::string, std::string>>& dropped_values() const { return dropped_values_; }
  void ForEachChangedValue(const ValueVisitor& fn) const;
  bool seen() const { return seen_; }
  uint64_t changes() const { return changes_; }

  size_t groups() const { return by_key_.size(); }
  uint64_t evicted_groups() const { return evicted_groups_; }
  uint64_t evicted_entries() const { return evicted_entries_; }
  uint64_t late_events() const { return late_events_; }

 private:
  struct Group {
    std::string key;
    std::vector<std::pair<std::string, std::string>> values;  // for the alert
    std::multiset<Timestamp> times;                           // event_count
    std::map<std::string, Timestamp, std::less<>> distinct;   // value_count: value → latest time
    std::set<std::pair<Timestamp, std::string>> by_time;      // value_count: the same, by time
    std::vector<std::multiset<Timestamp>> per_rule;           // temporal*: times per listed rule
    // lt/lte: the open window [opened, opened + timespan] (close_seq 0: none) and its events.
    Timestamp opened{};
    uint64_t close_seq = 0;
    uint64_t count = 0;
    Timestamp first{}, last{};
    std::optional<Event> last_event;  // the latest by time: the trigger if it fires
  };
  using CloseKey = std::tuple<Timestamp, uint64_t, std::string>;  // (close time, seq, group key)
  using GroupList = std::list<Group>;

  Group& Touch(const Event& event);
  Group& Insert(const std::string& key, std::vector<std::pair<std::string, std::string>> values);
  void FeedClosing(const Event& event, std::string&& value);
  void Forget(GroupList::iterator it);
  void DropExpiredTail(Timestamp low);
  static bool Empty(const Group& g);
  static Timestamp Newest(const Group& g);
  void Prune(Group& g, Timestamp low);
  void Cap(std::multiset<Timestamp>& times, size_t cap);
  void CapDistinct(Group& g);
  // value_count, new_terms: records `value` seen at `t` (a later time than the known one
  // moves it); true when the group did not have it. Then applies the per-group cap.
  bool Remember(Group& g, std::string value, Timestamp t);
  std::optional<CorrelationInfo> Check(Group& g);
  bool FindTemporal(const Group& g, Timestamp* first, Timestamp* last) const;
  CorrelationInfo Info(const Group& g, uint64_t count, Timestamp first, Timestamp last) const;
  void Reset(Group& g);
  bool Journaling() const { return journal_on_ && !journal_overflow_; }
  void JournalFull();  // past kJournalLimit: stop recording
  size_t JournalSize() const { return changed_values_.size() + dropped_values_.size() + dropped_groups_.size(); }
  void JournalChanged(const std::string& key, const std::string& value);
  void JournalDroppedValue(const std::string& key, const std::string& value);
  void JournalDroppedGroup(const std::string& key);

  const CorrelationSpec* spec_;  // the owning rule's (Rebind moves it to a new rule)
  size_t max_groups_;
  size_t max_entries_;
  Timestamp watermark_{};
  Timestamp learning_until_{};  // new_terms: no alert before this event time
  bool seen_ = false;
  uint64_t changes_ = 0;
  GroupList lru_;  // front: most recently updated
  std::unordered_map<std::string, GroupList::iterator> by_key_;
  std::string key_;  // scratch
  std::set<CloseKey> closes_;  // lt/lte: when each open window closes
  uint64_t close_seq_ = 0;
  uint64_t evicted_groups_ = 0;
  uint64_t evicted_entries_ = 0;
  uint64_t late_events_ = 0;
  bool journal_on_ = false;
  bool journal_overflow_ = false;
  std::set<std::pair<std::string, std::string>> changed_values_;  // (group key, value)
  std::set<std::pair<std::string, std::string>> dropped_values_;
  std::set<std::string> dropped_groups_;
};

}  // namespace vigil::rules
