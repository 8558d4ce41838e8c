// How a loaded RetentionPolicy applies to one file (precedence: docs/retention.md).
#include <algorithm>
#include <set>

#include "retention_policy.h"

namespace vigil::retention {
namespace {

bool AnyMatch(const std::vector<PathGlob>& globs, std::string_view path) {
  for (const PathGlob& g : globs) {
    if (g.Matches(path)) return true;
  }
  return false;
}

// The start of a class's clock for a file, and the name of the clock used.
std::pair<int64_t, std::string> ClockStart(Trigger trigger, const FileClocks& c) {
  switch (trigger) {
    case Trigger::kCreated:
      if (c.birth > 0) return {c.birth, "birth"};
      return {c.first_seen, "first_seen"};
    case Trigger::kModified: {
      // mtime can be set back by the owner: never earlier than a change Vigil saw itself.
      if (c.changed_at > c.mtime) return {c.changed_at, "first_seen"};
      return {c.mtime, "mtime"};
    }
    case Trigger::kFirstSeen:
      return {c.first_seen, "first_seen"};
    case Trigger::kEvent:
      return {0, "event"};
  }
  return {c.first_seen, "first_seen"};
}

}  // namespace

std::string_view TriggerName(Trigger t) {
  switch (t) {
    case Trigger::kCreated: return "created";
    case Trigger::kModified: return "modified";
    case Trigger::kFirstSeen: return "first_seen";
    case Trigger::kEvent: return "event";
  }
  return "created";
}

std::string_view ImmutabilityName(Immutability i) {
  switch (i) {
    case Immutability::kWorm: return "worm";
    case Immutability::kAppendOnly: return "append_only";
    case Immutability::kNone: return "none";
  }
  return "none";
}

bool RetentionClass::Matches(std::string_view path) const { return AnyMatch(paths, path); }
bool LegalHold::Matches(std::string_view path) const { return AnyMatch(paths, path); }
bool UnclassifiedScope::Matches(std::string_view path) const { return AnyMatch(paths, path); }

Resolution RetentionPolicy::Resolve(std::string_view path, const FileClocks& clocks) const {
  Resolution r;
  std::set<std::string> controls;
  // The primary class: the one whose minimum ends last, else whose maximum ends first, else
  // the first match.
  const RetentionClass* by_min = nullptr;
  const RetentionClass* by_max = nullptr;
  for (const RetentionClass& c : classes) {
    if (!c.Matches(path)) continue;
    r.classes.push_back(&c);
    r.immutability = std::max(r.immutability, c.immutability);
    for (const auto& [fw, ids] : c.controls) {
      for (const std::string& id : ids) controls.insert(fw + ":" + id);
    }
    const auto [start, clock] = ClockStart(c.trigger, clocks);
    const bool pending = c.trigger == Trigger::kEvent;
    if (c.min) {
      if (pending) {
        r.min_pending = true;  // the clock has not started: the minimum has not either
      } else {
        const int64_t due = c.min->AddTo(start);
        if (!r.min_due || due > *r.min_due) {
          r.min_due = due;
          by_min = &c;
        }
      }
    }
    if (c.max && !pending) {
      const int64_t due = c.max->AddTo(start);
      if (!r.max_due || due < *r.max_due) {
        r.max_due = due;
        by_max = &c;
      }
    }
  }
  if (r.classes.empty()) return r;
  r.primary = by_min ? by_min : (by_max ? by_max : r.classes.front());
  if (r.min_pending && !by_min) r.primary = r.classes.front();
  // A keep duty beats a delete duty: a maximum never ends before a minimum.
  if (r.max_due && r.min_due && *r.max_due < *r.min_due) r.max_due = r.min_due;
  if (r.max_due && r.min_pending) r.max_due.reset();
  const auto [start, clock] = ClockStart(r.primary->trigger, clocks);
  r.clock = clock;
  r.clock_start = start;
  // expiring_soon: before the nearest due date (a maximum, else the end of the minimum).
  std::optional<int64_t> nearest = r.max_due ? r.max_due : r.min_due;
  if (nearest) {
    for (const RetentionClass* c : r.classes) {
      if (!c->expiring_soon) continue;
      // from = nearest - window, computed as the latest t with t + window <= nearest.
      const int64_t window_end_from_epoch = c->expiring_soon->AddTo(0);
      const int64_t from = *nearest - window_end_from_epoch;
      if (!r.soon_from || from < *r.soon_from) r.soon_from = from;
    }
  }
  r.controls.assign(controls.begin(), controls.end());
  return r;
}

std::vector<const LegalHold*> RetentionPolicy::ActiveHolds(std::string_view path, int64_t now) const {
  std::vector<const LegalHold*> out;
  for (const LegalHold& h : holds) {
    if (h.ActiveAt(now) && h.Matches(path)) out.push_back(&h);
  }
  return out;
}

std::vector<std::string> RetentionPolicy::Roots() const {
  std::vector<std::string> prefixes;
  auto add = [&](const std::vector<PathGlob>& globs) {
    for (const PathGlob& g : globs) prefixes.push_back(g.fixed_prefix());
  };
  for (const RetentionClass& c : classes) add(c.paths);
  for (const LegalHold& h : holds) add(h.paths);
  add(unclassified.paths);
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  std::vector<std::string> roots;
  for (const std::string& p : prefixes) {
    bool covered = false;
    for (const std::string& r : roots) {
      if (r == "/" || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/')) {
        covered = true;
        break;
      }
    }
    if (!covered) roots.push_back(p);
  }
  return roots;
}

}  // namespace vigil::retention
