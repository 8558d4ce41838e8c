// TermHistoryStore: keeps the history of `new_terms` correlation rules (docs/rules.md,
// "new_terms") across daemon restarts, in a SQLite database in the state directory
// (`<state_dir>/rule_history.db`).
//
// A new_terms rule alerts on a value it has not seen within its timespan, so its history is
// what makes it quiet: lost at a restart, every known user's next login from a known source
// would alert again. The store saves, per rule, its watermark, the end of its learning
// period and every remembered (group, value, last seen), under the rule's id and definition
// fingerprint (RuleSet::AdoptState's fingerprint: condition, exceptions, correlation spec).
//
//   - Load() restores the saved history into the rules of `rules` with the same id and an
//     equal fingerprint; history saved for a rule that changed since is not restored (its
//     values meant something else), and the next Save() deletes it, as it deletes the
//     history of rules no longer loaded. A value whose group does not fit the rule, that
//     the timespan has forgotten by the saved watermark, or that cannot be read, is skipped
//     and counted.
//   - Save() writes, in one transaction, the history of each new_terms rule whose state
//     changed since the last Save() or Load() (CorrelationWindows::changes()). Once the
//     database holds a rule's state, a save writes only what its journal recorded since
//     (CorrelationWindows::StartJournal: values learnt or seen again, values and groups
//     dropped) and purges rows the timespan forgot; the first save of a state, and a save
//     after more changes than the journal holds, rewrite the rule's history. Values older
//     than the window are never written. The daemon saves on an interval and at shutdown.
//
// A database written by a newer Vigil (schema version above this code's) is refused at
// Open(); the caller runs without persistence rather than overwrite it.
//
// One store per RuleSet: the journal a save consumes belongs to the rule set's state.
// Threading: one thread at a time (the pipeline's engine thread, which owns the RuleSet).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "vigil/rules/rule_set.h"
#include "vigil/sqlite.h"
#include "vigil/status.h"

namespace vigil {

struct TermHistoryLoad {
  size_t rules = 0;    // rules whose history was restored
  size_t values = 0;   // values restored
  size_t skipped = 0;  // values not restored (forgotten, not fitting, unreadable)
  size_t stale_rules = 0;  // saved rules not loaded now, or changed since
};

class TermHistoryStore {
 public:
  static Result<std::unique_ptr<TermHistoryStore>> Open(const std::string& path);

  Result<TermHistoryLoad> Load(RuleSet& rules);
  // Returns the number of rules whose history was written (0: nothing had changed).
  Result<size_t> Save(const RuleSet& rules);

  const std::string& path() const { return db_.path(); }

 private:
  explicit TermHistoryStore(sqlite::Database db) : db_(std::move(db)) {}

  struct Saved {
    uint64_t fingerprint = 0;
    const void* state = nullptr;  // the windows object saved (a reload may swap in another)
    uint64_t changes = 0;
  };
  sqlite::Database db_;
  std::map<std::string, Saved> saved_;  // rule id → what the database holds for it
};

}  // namespace vigil
