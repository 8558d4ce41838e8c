#include "vigil/rules/rule_set.h"

#include "rule_compiler.h"
#include "rule_reader.h"
#include "rule_set_impl.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace vigil {
namespace {

Result<std::unique_ptr<RuleSet>> Finish(rules::RawRuleFile& raw, const RuleOptions& options, Diagnostics& diags,
                                        Diagnostics& local) {
  auto impl = std::make_unique<RuleSet::Impl>();
  rules::CompileRules(raw, options, FieldRegistry::Global(), *impl, local);
  diags.Append(local);
  if (local.has_errors()) {
    return Status::InvalidArgument("rules: " + std::to_string(local.error_count()) + " error" +
                                   (local.error_count() == 1 ? "" : "s"));
  }
  return std::make_unique<RuleSet>(std::move(impl));
}

}  // namespace

namespace rules {

Alert CompiledRule::MakeAlert(std::shared_ptr<const Event> event) const {
  Alert a;
  const Timestamp t = event->time();
  Fill(a, std::move(event), t);
  return a;
}

void CompiledRule::Fill(Alert& a, std::shared_ptr<const Event> event, Timestamp time) const {
  a.event = std::move(event);
  Fill(a, time);
}

void CompiledRule::Fill(Alert& a, Timestamp time) const {
  a.timestamp = time;
  Refresh(a);
}

void CompiledRule::Refresh(Alert& a) const {
  a.rule = meta;
  if (output) {
    a.rendered_output = output->Render(*a.event);
  } else {
    a.rendered_output.clear();  // the output is the rule's name (meta->output_is_name)
  }
}

}  // namespace rules

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  auto metas = std::make_shared<Impl::Metas>();
  metas->reserve(impl_->rules.size());
  for (const rules::CompiledRule& r : impl_->rules) metas->push_back(r.meta);
  impl_->metas = std::move(metas);
}
RuleSet::~RuleSet() = default;

namespace {

// Hands an alert of rule `i` out, through the rule's suppression windows when it has them.
void Emit(RuleSet::Impl& im, uint32_t i, Alert&& alert, std::vector<Alert>& out) {
  if (auto& sup = im.state[i].suppression) {
    sup->Offer(std::move(alert), out);
  } else {
    out.push_back(std::move(alert));
  }
}

// The event under evaluation, as its alerts share it: one copy made at its first alert
// (or the event itself moved there, when the caller gave it away), then shared by the
// others. Read it through get(): after the move, only the shared copy holds it.
//
// Sharing costs atomic reference counts (an alert may be released on another thread). A
// plain alert built in place at out[at] is handed the first reference itself, not a copy of
// one kept here: an event that raises one alert then costs no count at all (a sole owner's
// release skips the atomic), and a later alert of the event copies the reference from there
// (`out` is only appended to during an evaluation, so out[at] stays that alert).
//
// The shared copy also holds the rule set's metadata (Impl::metas, one more count per event
// shared, not per alert): the event's plain alerts borrow their rule's metadata from it.
class EventShare {
 public:
  EventShare(const Event& event, Event* owned, const RuleSet::Impl& im)
      : event_(&event), owned_(owned), metas_(&im.metas) {}
  const Event& get() const { return *event_; }
  // A reference to the shared copy, for an alert.
  std::shared_ptr<const Event> Share() {
    if (placed_in_ != nullptr) return (*placed_in_)[placed_at_].event;
    if (!shared_) shared_ = Make();
    return shared_;
  }
  // Gives out[at] (an alert being built) its reference to the shared copy.
  void ShareInto(std::vector<Alert>& out, size_t at) {
    if (placed_in_ == nullptr && !shared_) {
      out[at].event = Make();
      placed_in_ = &out;
      placed_at_ = at;
    } else {
      out[at].event = Share();
    }
  }

 private:
  // The event and what its alerts borrow, in one allocation.
  struct Held {
    Held(Event&& e, const std::shared_ptr<const RuleSet::Impl::Metas>& m) : event(std::move(e)), metas(m) {}
    Held(const Event& e, const std::shared_ptr<const RuleSet::Impl::Metas>& m) : event(e), metas(m) {}
    Event event;
    std::shared_ptr<const RuleSet::Impl::Metas> metas;
  };

  std::shared_ptr<const Event> Make() {
    auto held = owned_ ? std::make_shared<const Held>(std::move(*owned_), *metas_)
                       : std::make_shared<const Held>(*event_, *metas_);
    event_ = &held->event;
    return {std::move(held), event_};  // the event, owned with its Held
  }

  const Event* event_;
  Event* owned_;  // null: the caller keeps the event, copy it
  const std::shared_ptr<const RuleSet::Impl::Metas>* metas_;
  std::shared_ptr<const Event> shared_;  // the reference kept here, when the first alert had none to spare
  const std::vector<Alert>* placed_in_ = nullptr;  // else the first plain alert's: (*placed_in_)[placed_at_]
  size_t placed_at_ = 0;
};

// Hands out an alert of plain rule `i` for the event (of time `t`). Without suppression the
// alert is built in place at the end of `out`, not built and then moved there.
void EmitMatch(RuleSet::Impl& im, uint32_t i, bool suppresses, EventShare& event, Timestamp t,
               std::vector<Alert>& out) {
  const rules::CompiledRule& r = im.rules[i];
  if (suppresses) {
    im.state[i].suppression->Offer(r.MakeAlert(event.Share()), out);
    return;
  }
  out.emplace_back();
  event.ShareInto(out, out.size() - 1);
  // As CompiledRule::Fill, from the candidate's entry, the alert borrowing the rule's
  // metadata: its event is the shared copy, which holds the rule set's metadata.
  const RuleSet::Impl::Candidate& c = im.candidates[i];
  Alert& a = out.back();
  a.timestamp = t;
  a.rule = RuleRef::Borrowed(c.meta);
  if (c.output) a.rendered_output = c.output->Render(*a.event);  // else output() is the rule's name
}

// Offers the event to correlation rule `c` (as matched by its rule at `source` in `rules`).
void Feed(RuleSet::Impl& im, uint32_t c, EventShare& event, uint32_t source, std::vector<Alert>& out) {
  const rules::CompiledRule& cr = im.rules[c];
  RuleSet::Impl::RuleState& st = im.state[c];
  if (!cr.correlation->temporal()) {
    // Counting correlations count an event once, however many of their rules match it.
    if (st.fed_event == im.event_seq) return;
    st.fed_event = im.event_seq;
  }
  if (auto fired = st.windows->Feed(event.get(), source)) {
    Alert a = cr.MakeAlert(event.Share());
    a.correlation = std::move(*fired);
    Emit(im, c, std::move(a), out);
  }
}

void EvaluateEvent(RuleSet::Impl& im, EventShare& event, std::vector<Alert>& out) {
  ++im.event_seq;
  const Timestamp t = event.get().time();
  if (t > im.watermark) {
    im.watermark = t;
    // Windows that end before this event close first: "fewer than" correlations (whose
    // alerts may still merge into an open suppression window), then suppression windows.
    for (uint32_t c : im.closing) {
      im.fired.clear();
      im.state[c].windows->Advance(t, im.fired);
      for (auto& [info, trigger] : im.fired) {
        Alert a = im.rules[c].MakeAlert(std::make_shared<const Event>(std::move(trigger)));
        a.correlation = std::move(info);
        Emit(im, c, std::move(a), out);
      }
    }
    for (uint32_t i : im.suppressing) im.state[i].suppression->Advance(t, out);
  }
  // A candidate reads its packed entry (im.candidates) and its program; its state and the
  // rule itself only when it has exceptions or matches (its state only if it has windows).
  rules::FieldCache fields(event.get());
  const auto matches = [&im, &event, &fields](const RuleSet::Impl::Candidate& c, uint32_t i,
                                              rules::RuleIndex::Fixed fixed) {
    const Event& e = event.get();
    fields.Rebind(e);  // an alert may have taken the event over
    if (!rules::AllHold(c.first, c.program, c.size, c.tagged, fields, fixed)) return false;
    if (c.exceptions) {
      for (const auto& ex : im.rules[i].exceptions) {
        if (ex.condition->Eval(e)) return false;
      }
    }
    return true;
  };
  const rules::RuleIndex::Selection selection = im.index.Candidates(event.get());
  for (uint32_t entry : selection.rules) {
    uint32_t i = entry;
    rules::RuleIndex::Fixed fixed = selection.fixed;
    if (selection.coded) {
      i = entry >> rules::RuleIndex::kPartBits;
      fixed = selection.parts[entry & rules::RuleIndex::kPartMask];
    }
    RuleSet::Impl::Candidate& c = im.candidates[i];
    // Condition time is measured on one in kTimeSampleEvery of each rule's own evaluations
    // (two clock reads per evaluation would cost more than most conditions) and scaled up:
    // the clock is read per rule, not per event, so a rule set that puts more candidates
    // before each event pays no more clock reads per evaluation than a small one.
    const bool sample = ++c.evaluations % kTimeSampleEvery == 0;
    // One call of `matches`, timed or not, so that it is inlined (two calls kept it apart: a
    // call, its frame and the lambda's captures reread per candidate).
    std::chrono::steady_clock::time_point t0;
    if (sample) t0 = std::chrono::steady_clock::now();
    const bool matched = matches(c, i, fixed);
    if (sample) {
      const auto t1 = std::chrono::steady_clock::now();
      im.state[i].sampled_ns += static_cast<uint64_t>(std::chrono::nanoseconds(t1 - t0).count()) * kTimeSampleEvery;
    }
    if (!matched) continue;
    if (c.alerts) {
      EmitMatch(im, i, c.suppresses, event, t, out);
    } else if (c.feeds_self) {
      Feed(im, i, event, 0, out);
    }
    if (c.feeds) {
      for (const auto& [corr, pos] : im.feeds[i]) {
        if (im.rules[corr].Matches(event.get())) Feed(im, corr, event, pos, out);
      }
    }
  }
}

}  // namespace

void RuleSet::Evaluate(const Event& event, std::vector<Alert>& out) {
  EventShare share(event, nullptr, *impl_);
  EvaluateEvent(*impl_, share, out);
}

void RuleSet::Evaluate(Event&& event, std::vector<Alert>& out) {
  EventShare share(event, &event, *impl_);
  EvaluateEvent(*impl_, share, out);
}

size_t RuleSet::AdoptState(RuleSet& old, std::vector<Alert>& out) {
  Impl& im = *impl_;
  Impl& was = *old.impl_;
  std::unordered_map<std::string_view, uint32_t> old_by_id;
  for (uint32_t i = 0; i < was.rules.size(); ++i) old_by_id.emplace(was.rules[i].info.id, i);
  size_t adopted = 0;
  for (uint32_t i = 0; i < im.rules.size(); ++i) {
    const rules::CompiledRule& now = im.rules[i];
    auto it = old_by_id.find(now.info.id);
    if (it == old_by_id.end()) continue;
    const rules::CompiledRule& before = was.rules[it->second];
    if (before.fingerprint != now.fingerprint) continue;
    Impl::RuleState& from = was.state[it->second];
    Impl::RuleState& to = im.state[i];
    bool moved = false;
    // The old set keeps fresh, empty windows in place of the ones taken: it stays usable
    // (Finish, state_stats) and reports nothing twice.
    if (from.windows && to.windows) {
      from.windows->Rebind(*now.correlation, im.options.max_groups, im.options.max_window_entries);
      std::swap(from.windows, to.windows);
      from.windows = std::make_unique<rules::CorrelationWindows>(*before.correlation, was.options.max_groups,
                                                                 was.options.max_window_entries);
      moved = true;
    }
    if (from.suppression && to.suppression) {
      from.suppression->ForEachPending([&now](Alert& a) { now.Refresh(a); });
      from.suppression->Rebind(*now.suppression, im.options.max_suppression_keys, out);
      std::swap(from.suppression, to.suppression);
      from.suppression = std::make_unique<rules::SuppressionWindows>(*before.suppression,
                                                                     was.options.max_suppression_keys);
      moved = true;
    }
    if (moved) ++adopted;
  }
  // Event time does not go back: windows the old set would have closed are closed by the
  // next event either way.
  im.watermark = std::max(im.watermark, was.watermark);
  return adopted;
}

void RuleSet::Finish(std::vector<Alert>& out) {
  for (uint32_t i : impl_->suppressing) impl_->state[i].suppression->CloseAll(out);
}

std::vector<RuleStateStats> RuleSet::state_stats() const {
  std::vector<RuleStateStats> stats(impl_->rules.size());
  for (size_t i = 0; i < stats.size(); ++i) {
    RuleStateStats& s = stats[i];
    s.rule_id = impl_->rules[i].info.id;
    s.evaluations = impl_->candidates[i].evaluations;
    s.evaluation_ns = impl_->state[i].sampled_ns;
    if (const auto& w = impl_->state[i].windows) {
      s.groups = w->groups();
      s.evicted_groups = w->evicted_groups();
      s.evicted_entries = w->evicted_entries();
      s.late_events = w->late_events();
    }
    if (const auto& sup = impl_->state[i].suppression) {
      s.suppression_windows = sup->open();
      s.suppressed = sup->suppressed();
      s.summaries = sup->summaries();
      s.early_closes = sup->early_closes();
    }
  }
  return stats;
}

const std::vector<RuleInfo>& RuleSet::rules() const { return impl_->infos; }

Result<std::unique_ptr<RuleSet>> LoadRules(const std::vector<std::string>& files, const RuleOptions& options,
                                           Diagnostics& diags) {
  Diagnostics local;
  rules::RawRuleFile raw;
  for (const std::string& f : files) rules::ReadRuleFile(f, raw, local);
  return Finish(raw, options, diags, local);
}

Result<std::unique_ptr<RuleSet>> LoadRulesFromString(std::string_view text, const std::string& name,
                                                     const RuleOptions& options, Diagnostics& diags) {
  Diagnostics local;
  rules::RawRuleFile raw;
  rules::ReadRuleText(text, name, raw, local);
  return Finish(raw, options, diags, local);
}

}  // namespace vigil
