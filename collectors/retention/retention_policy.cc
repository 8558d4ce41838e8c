// How a loaded RetentionPolicy applies to one file (precedence: docs/retention.md).
#include <algorithm>
#include <cstring>
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
  std::vector<const RetentionClass*> matched;
  for (const RetentionClass& c : classes) {
    if (c.Matches(path)) matched.push_back(&c);
  }
  return CombineClasses(std::move(matched), clocks);
}

Resolution CombineClasses(std::vector<const RetentionClass*> matched, const FileClocks& clocks) {
  Resolution r;
  r.classes = std::move(matched);
  std::set<std::string> controls;
  // The primary class: the one whose minimum ends last, else whose maximum ends first, else
  // the first match.
  const RetentionClass* by_min = nullptr;
  const RetentionClass* by_max = nullptr;
  for (const RetentionClass* cp : r.classes) {
    const RetentionClass& c = *cp;
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

PolicyMatcher::PolicyMatcher(const RetentionPolicy& policy, int64_t now)
    : policy_(policy), now_(now), classes_(policy.classes.size()), holds_(policy.holds.size()) {}

bool PolicyMatcher::Enter(std::string_view path, std::string_view* name) {
  // Another file of the current directory (the common case): its directory is a prefix and
  // the rest holds no '/'.
  const size_t d = dir_.size();
  if (have_dir_ && path.size() > d + 1 && path[d] == '/' && path.compare(0, d, dir_) == 0 &&
      std::memchr(path.data() + d + 1, '/', path.size() - d - 1) == nullptr) {
    *name = path.substr(d + 1);
    return true;
  }
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == path.size()) return false;
  *name = path.substr(slash + 1);
  const std::string_view dir = path.substr(0, slash);
  if (have_dir_ && dir == dir_) return true;
  dir_.assign(dir);
  have_dir_ = true;
  segments_.clear();
  SplitPathInto(dir, &segments_);
  for (size_t c = 0; c < classes_.size(); ++c) Decide(policy_.classes[c].paths, segments_, &classes_[c]);
  for (size_t h = 0; h < holds_.size(); ++h) {
    const LegalHold& hold = policy_.holds[h];
    if (hold.ActiveAt(now_)) {
      Decide(hold.paths, segments_, &holds_[h]);
    } else {
      holds_[h] = Item{};
    }
  }
  Decide(policy_.unclassified.paths, segments_, &unclassified_);
  return true;
}

void PolicyMatcher::Decide(const std::vector<PathGlob>& globs, const std::vector<std::string_view>& dir,
                           Item* item) {
  item->all = false;
  item->some.clear();
  for (const PathGlob& g : globs) {
    PathGlob::State s = g.Start();
    for (std::string_view seg : dir) {
      s = g.Step(s, seg);
      if (s.empty()) break;
    }
    switch (g.Decide(s)) {
      case PathGlob::Below::kNone: break;
      case PathGlob::Below::kAll:
        item->all = true;
        item->some.clear();
        return;
      case PathGlob::Below::kSome: item->some.emplace_back(&g, s); break;
    }
  }
}

bool PolicyMatcher::Match(const Item& item, std::string_view name) {
  if (item.all) return true;
  for (const auto& [glob, state] : item.some) {
    if (glob->Accepts(glob->Step(state, name))) return true;
  }
  return false;
}

Resolution PolicyMatcher::Resolve(std::string_view path, const FileClocks& clocks) {
  std::string_view name;
  if (!Enter(path, &name)) return policy_.Resolve(path, clocks);
  std::vector<const RetentionClass*> matched;
  for (size_t c = 0; c < classes_.size(); ++c) {
    if (Match(classes_[c], name)) matched.push_back(&policy_.classes[c]);
  }
  return CombineClasses(std::move(matched), clocks);
}

std::vector<const LegalHold*> PolicyMatcher::ActiveHolds(std::string_view path) {
  if (holds_.empty()) return {};
  std::string_view name;
  if (!Enter(path, &name)) return policy_.ActiveHolds(path, now_);
  std::vector<const LegalHold*> out;
  for (size_t h = 0; h < holds_.size(); ++h) {
    if (Match(holds_[h], name)) out.push_back(&policy_.holds[h]);
  }
  return out;
}

bool PolicyMatcher::Unclassified(std::string_view path) {
  if (policy_.unclassified.paths.empty()) return false;
  std::string_view name;
  if (!Enter(path, &name)) return policy_.unclassified.Matches(path);
  return Match(unclassified_, name);
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
