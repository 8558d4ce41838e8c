#include "retention_scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>
#include <limits>

#include "baseline_writer.h"
#include "file_event.h"
#include "seen_keys.h"
#include "vigil/ecs_fields.h"
#include "worker_pool.h"

namespace vigil::retention {
namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;
constexpr size_t kBatchPerWorker = 64;  // pending rows hashed together
// Files of the stat phase looked up together: one hand-over to the workers and one read
// transaction per worker for that many files.
constexpr size_t kLookupBatchPerWorker = 1024;

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class Scan {
 public:
  Scan(const RetentionPolicy& policy, BaselineStore& store, const RetentionFieldIds& ids,
       const RetentionScan::EmitFn& emit, FileHasher& hasher, const ScanRequest& req)
      : policy_(policy), store_(store), ids_(ids), emit_(emit), hasher_(hasher), req_(req),
        events_(ids, policy.file, req.now), matcher_(policy, req.now), lookup_matcher_(policy, req.now) {
    result_.items.resize(policy.classes.size() + 1);
  }

  Result<ScanResult> Run(const std::function<bool()>& stopping) {
    // A first scan stopped before its end (shutdown) left its key index to build.
    VIGIL_RETURN_IF_ERROR(store_.EndBulkLoad());
    auto scans = store_.GetState("scans_completed");
    if (!scans.ok()) return scans.status();
    initial_ = !scans->has_value() || **scans == 0;
    auto rows = store_.Count();
    if (!rows.ok()) return rows.status();
    rows_before_ = *rows;
    // An empty baseline: no file can be missing at the end (no deletion pass), so the keys
    // seen are not kept, only those of files with several links (each evaluated once).
    if (!req_.partial && rows_before_ == 0) seen_.KeepLinksOnly();
    else if (!req_.partial) seen_.Reserve(static_cast<size_t>(rows_before_));
    const size_t workers = static_cast<size_t>(std::clamp(req_.walk.workers, 1, kMaxWorkers));
    if (workers > 1) {
      pool_ = std::make_unique<WorkerPool>(workers);
      for (size_t i = 0; i < workers; ++i) {
        hashers_.push_back(std::make_unique<FileHasher>());
        matchers_.push_back(std::make_unique<PolicyMatcher>(policy_, req_.now));
      }
    }
    batch_limit_ = kBatchPerWorker * workers;
    lookup_limit_ = kLookupBatchPerWorker * workers;
    // Lookups by the workers, each through its own connection (a file baseline with rows).
    if (pool_ && !req_.partial && rows_before_ > 0) {
      for (size_t i = 0; i < workers; ++i) {
        auto reader = store_.OpenReader();
        if (!reader.ok()) {
          readers_.clear();  // in memory: the collector's thread looks up alone
          break;
        }
        readers_.push_back(std::move(*reader));
      }
    }

    // Phase 1, the stat phase: walk, statx, baseline lookup, policy, baseline written with
    // the hashes still to compute marked pending; deletions; committed.
    const auto stat_started = std::chrono::steady_clock::now();
    VIGIL_RETURN_IF_ERROR(store_.Begin());
    // A full re-hash: every row pending before the walk (a row already pending for its
    // content keeps that mark).
    if (req_.full_rehash && !req_.partial) {
      VIGIL_RETURN_IF_ERROR(store_.MarkAllPending());
      // Committed at once: the workers' lookups (other connections) must see the marks.
      VIGIL_RETURN_IF_ERROR(store_.Commit());
      VIGIL_RETURN_IF_ERROR(store_.Begin());
    }
    // A first scan into an empty baseline: its key index is built once at the end.
    bulk_ = !req_.partial && rows_before_ == 0;
    if (bulk_) VIGIL_RETURN_IF_ERROR(store_.BeginBulkLoad());
    // The rows written on a thread of their own while the walk goes on, when this thread
    // does not use the store during the walk (the lookups go through the workers' readers,
    // or there is nothing to look up).
    if (pool_ && (rows_before_ == 0 || !readers_.empty())) writer_ = std::make_unique<BaselineWriter>(store_);
    TreeWalker walker;
    const bool finished = walker.Walk(
        req_.walk,
        [&](FileFacts& f) {
          if (stopping() || stopped_) return false;
          // The batch's entries are reused, with their buffers (the row's path and hash).
          Batch& b = batches_[cur_];
          if (b.used == b.files.size()) b.files.emplace_back();
          PendingFile& p = b.files[b.used++];
          p.facts = std::move(f);
          p.duplicate = false;
          p.found = false;
          p.status = Status();
          if (b.used >= lookup_limit_) status_ = RunBatch();
          return status_.ok() && !stopped_;
        },
        &result_.walk);
    status_ = FinishBatches(status_);
    if (writer_) {
      // Every row queued is written (also when stopping: what was seen stays seen); the store
      // is this thread's again.
      const Status written = writer_->Finish();
      writer_.reset();
      if (status_.ok()) status_ = written;
    }
    VIGIL_RETURN_IF_ERROR(status_);
    if (!finished || stopping()) {
      result_.stopped = true;
      VIGIL_RETURN_IF_ERROR(store_.Commit());  // what was seen stays seen
      return std::move(result_);
    }
    VIGIL_RETURN_IF_ERROR(DeletionPass());
    if (stopped_) {
      result_.stopped = true;
      VIGIL_RETURN_IF_ERROR(store_.Commit());
      return std::move(result_);
    }
    if (bulk_) {
      // With a hash phase to follow, the key index is built at its end (HashPhase reads the
      // load's rows in the table's order, which is the walk's): the stat phase ends with its
      // rows committed, the index not yet built.
      if (!req_.hash_phase) VIGIL_RETURN_IF_ERROR(store_.EndBulkLoad());
    } else if (!req_.partial) {
      // Directories whose files are all gone (deleted here, or by the watcher since the last
      // scan) leave no row behind: the baseline does not grow with a share's churn.
      VIGIL_RETURN_IF_ERROR(store_.PruneDirs().status());
      // Likewise the labels of classes no longer in the policy, once no row has them.
      std::vector<std::string> labels(std::begin(kClockNames), std::end(kClockNames));
      for (const RetentionClass& c : policy_.classes) labels.push_back(c.id);
      VIGIL_RETURN_IF_ERROR(store_.PruneLabels(labels).status());
    }
    if (!req_.partial) {
      VIGIL_RETURN_IF_ERROR(store_.SetState("scans_completed", (scans->value_or(0)) + 1));
      VIGIL_RETURN_IF_ERROR(store_.SetState("last_scan_end", req_.now));
      // Every row to re-hash is marked: the pending marks carry the duty from here on.
      if (req_.full_rehash || initial_) VIGIL_RETURN_IF_ERROR(store_.SetState("last_full_rehash", req_.now));
    }
    VIGIL_RETURN_IF_ERROR(store_.Commit());
    result_.stat_seconds = SecondsSince(stat_started);

    // Phase 2, the hash phase: the pending files this scan saw, hashed by the workers, their
    // content findings raised in walk order. Stopped or restarted, it resumes from the marks.
    if (req_.hash_phase) {
      const auto hash_started = std::chrono::steady_clock::now();
      VIGIL_RETURN_IF_ERROR(store_.Begin());
      VIGIL_RETURN_IF_ERROR(HashPhase(stopping));
      // A first scan's key index (stopped: the next scan or the next open builds it).
      if (!stopped_ && !stopping()) VIGIL_RETURN_IF_ERROR(store_.EndBulkLoad());
      VIGIL_RETURN_IF_ERROR(store_.Commit());
      result_.hash_seconds = SecondsSince(hash_started);
    }
    if (stopped_ || stopping()) {
      result_.stopped = true;
      return std::move(result_);
    }
    GapEvent();
    result_.stopped = stopped_;
    return std::move(result_);
  }

 private:
  static FileKey KeyOf(const FileFacts& f) { return {f.dev, f.ino, f.birth_ns}; }

  FileClocks Clocks(int64_t birth_ns, int64_t mtime_ns, int64_t first_seen, int64_t changed_at) const {
    FileClocks c;
    c.birth = birth_ns > 0 ? birth_ns / kNsPerSec : 0;
    c.first_seen = first_seen;
    c.mtime = mtime_ns / kNsPerSec;
    c.changed_at = changed_at;
    return c;
  }

  // Within the minimum (keep, and for worm/append_only, do not change).
  bool InsideMin(const Resolution& r) const {
    return r.min_pending || (r.min_due && req_.now < *r.min_due);
  }

  Event Base(std::string_view action, std::string_view type, const FileView& f,
             const Resolution& r, const std::vector<const LegalHold*>& holds) {
    return events_.Build(action, type, f, r, holds);
  }

  void Emit(Event&& e, std::string message) {
    e.Set(ecs::kMessage, std::move(message));
    ++result_.events;
    if (!emit_(std::move(e))) stopped_ = true;
  }

  void Due(Event& e, std::optional<int64_t> due) {
    if (due) e.Set(ids_.due, FromUnix(*due));
  }

  ItemState Findings(const FileView& f, const Resolution& r,
                     const std::vector<const LegalHold*>& holds, uint32_t* reported) {
    if (r.classes.empty()) {
      if (!matcher_.Unclassified(*f.path)) return ItemState::kOk;
      if (!(*reported & kReportedUnclassified)) {
        Event e = Base("unclassified", "info", f, r, holds);
        e.Set(ids_.severity, policy_.unclassified.severity);
        Emit(std::move(e), "file matches no retention class: " + *f.path);
        *reported |= kReportedUnclassified;
      }
      return ItemState::kUnclassified;
    }
    const bool held = !holds.empty();
    if (r.max_due && req_.now >= *r.max_due) {
      if (held) return ItemState::kHeld;
      if (!(*reported & kReportedOverdue)) {
        Event e = Base("overdue", "info", f, r, holds);
        Due(e, r.max_due);
        Emit(std::move(e), "file is past its maximum retention (" +
                               (r.primary->max ? r.primary->max->text : std::string("max")) +
                               ") and still present: " + *f.path);
        *reported |= kReportedOverdue;
      }
      return ItemState::kOverdue;
    }
    const std::optional<int64_t> nearest = r.max_due ? r.max_due : r.min_due;
    if (r.soon_from && nearest && req_.now >= *r.soon_from && req_.now < *nearest &&
        !(held && r.max_due)) {
      if (!(*reported & kReportedExpiringSoon)) {
        Event e = Base("expiring_soon", "info", f, r, holds);
        Due(e, nearest);
        Emit(std::move(e), std::string(r.max_due ? "file must be deleted soon: "
                                                 : "file's minimum retention ends soon: ") +
                               *f.path);
        *reported |= kReportedExpiringSoon;
      }
      return held ? ItemState::kHeld : ItemState::kExpiringSoon;
    }
    return held ? ItemState::kHeld : ItemState::kOk;
  }

  void CountItem(const Resolution& r, ItemState s, bool in_scope, int64_t by = 1) {
    if (!in_scope) return;
    const size_t row = r.primary ? static_cast<size_t>(r.primary - policy_.classes.data())
                                 : policy_.classes.size();
    result_.items[row][static_cast<size_t>(s)] += by;
  }
  void UncountItem(const Resolution& r, ItemState s, bool in_scope) { CountItem(r, s, in_scope, -1); }

  // A file of the walk on its way through a batch: looked up (with its duties and holds),
  // then evaluated.
  struct PendingFile {
    FileFacts facts;
    bool duplicate = false;                // another hard link of a file seen
    bool found = false;                    // it has a baseline row:
    BaselineRecord row;                    // ... this one
    Resolution before;                     // its duties as recorded (new: as found now)
    std::vector<const LegalHold*> holds;   // the holds active on it
    Status status;                         // of the lookup
  };
  struct Batch {
    std::vector<PendingFile> files;  // the first `used` are this batch's
    size_t used = 0;
    std::vector<PendingFile*> todo;  // those to evaluate (not a second link), in walk order
    std::shared_ptr<WorkerPool::Job> lookups;  // under way on the workers
  };

  // The lookup of one file (on any thread: the policy is immutable; `reader` null: the store).
  // `matcher`: this thread's (it keeps the duties of the last directory looked at).
  void Lookup(PendingFile& p, BaselineReader* reader, PolicyMatcher& matcher) {
    const FileFacts& f = p.facts;
    if (rows_before_ > 0) {  // an empty baseline: every file is new
      auto found = reader ? reader->Find(KeyOf(f), f.path, &p.row) : store_.Find(KeyOf(f), f.path, &p.row);
      if (!found.ok()) {
        p.status = found.status();
        return;
      }
      p.found = *found;
    }
    p.holds = matcher.ActiveHolds(f.path);
    p.before = p.found ? matcher.Resolve(f.path, Clocks(f.birth_ns, p.row.mtime_ns, p.row.first_seen,
                                                        p.row.changed_at))
                       : matcher.Resolve(f.path, Clocks(f.birth_ns, f.mtime_ns, req_.now, 0));
  }

  // Phase 1: a batch of the walk's files looked up, then evaluated in walk order. With the
  // workers' own read connections, the lookups of a batch run while the collector's thread
  // evaluates the one before (a file's row is written only after its lookup either way).
  Status RunBatch() {
    Batch& b = batches_[cur_];
    b.todo.clear();
    for (size_t i = 0; i < b.used; ++i) {
      PendingFile& p = b.files[i];
      p.duplicate = !seen_.Add(KeyOf(p.facts), p.facts.nlink);
      if (!p.duplicate) b.todo.push_back(&p);
    }
    if (pool_ && !readers_.empty()) {
      const size_t chunks = pool_->size();
      const size_t per = (b.todo.size() + chunks - 1) / chunks;
      b.lookups = pool_->Start(chunks, [this, &b, per](size_t c, size_t worker) {
        BaselineReader* reader = readers_[worker].get();
        const size_t from = c * per, to = std::min(b.todo.size(), from + per);
        if (from >= to) return;
        const Status began = reader->BeginRead();
        for (size_t i = from; i < to; ++i) {
          if (!began.ok()) b.todo[i]->status = began;
          else Lookup(*b.todo[i], reader, *matchers_[worker]);
        }
        const Status ended = reader->EndRead();
        if (!ended.ok()) b.todo[from]->status = ended;
      });
      cur_ ^= 1;  // filled next, once its own lookups (started before) are evaluated
      return batches_[cur_].lookups ? Evaluate(batches_[cur_]) : Status::Ok();
    }
    // One read transaction for the batch's lookups, not one (locks, fstat) per file. An
    // empty baseline is not looked up: its files' duties are resolved here, not handed to
    // the workers (a hand-over per batch cost more than the resolution), and the writer's
    // thread may hold the store.
    if (rows_before_ > 0) VIGIL_RETURN_IF_ERROR(store_.BeginRead());
    for (PendingFile* p : b.todo) Lookup(*p, nullptr, lookup_matcher_);
    if (rows_before_ > 0) VIGIL_RETURN_IF_ERROR(store_.EndRead());
    return Evaluate(b);
  }

  // A batch's files evaluated in walk order, once its lookups are done.
  Status Evaluate(Batch& b) {
    if (b.lookups) b.lookups->Wait();
    b.lookups.reset();
    Status st;
    for (PendingFile* p : b.todo) {
      if (!p->status.ok()) {
        st = p->status;
        break;
      }
      st = OnFile(*p);
      if (!st.ok() || stopped_) break;
    }
    b.used = 0;
    return st;
  }

  // After the walk: the batch being filled looked up, and every batch looked up evaluated
  // (only waited for after an error or a stop).
  Status FinishBatches(Status st) {
    if (st.ok() && !stopped_ && batches_[cur_].used > 0) st = RunBatch();
    for (Batch& b : batches_) {
      if (!b.lookups) continue;
      if (st.ok() && !stopped_) {
        st = Evaluate(b);
      } else {
        b.lookups->Wait();
        b.lookups.reset();
      }
    }
    return st;
  }

  // A row of the stat phase written: by the writer's thread when there is one.
  Status Write(BaselineRecord&& rec) {
    if (writer_) return writer_->Put(std::move(rec)) ? Status::Ok() : writer_->Finish();
    VIGIL_RETURN_IF_ERROR(store_.Put(rec));
    return store_.Flush();
  }

  // A file of the stat phase whose row stays as it is: a batch open too long is committed
  // (the writer's thread does that itself).
  Status Unchanged() { return writer_ ? Status::Ok() : store_.Flush(); }

  static bool MetaChanged(const FileFacts& f, const BaselineRecord& rec) {
    return f.size != rec.size || f.mtime_ns != rec.mtime_ns || f.ctime_ns != rec.ctime_ns;
  }

  // Phase 1 of one file: creation, rename, attributes, and (unless its content has to be
  // hashed first) its one-time findings; the row written with the hash pending as needed.
  Status OnFile(PendingFile& p) {
    const FileFacts& f = p.facts;
    const FileKey key = KeyOf(f);
    const std::vector<const LegalHold*>& holds = p.holds;

    if (!p.found) {
      BaselineRecord rec;
      rec.key = key;
      rec.first_seen = req_.now;
      Fill(&rec, f);
      rec.hash_pending = HashPending::kContent;  // sha256 empty until the hash phase
      const Resolution& r = p.before;
      rec.class_id = r.primary ? r.primary->id : "";
      rec.clock = r.primary ? r.clock : "";
      const FileView v = FileView::Of(f, &rec.sha256);
      if (!initial_) Emit(Base("file_created", "creation", v, r, holds), "file created: " + f.path);
      const ItemState s = Findings(v, r, holds, &rec.reported);
      CountItem(r, s, r.primary || matcher_.Unclassified(f.path));
      pending_.push_back({key, false});
      rec.path = std::move(p.facts.path);  // the walk's path, not used again
      return Write(std::move(rec));
    }

    ++known_found_;
    BaselineRecord& rec = p.row;  // moved out only when written (else reused by the next batch)
    bool dirty = false;
    const bool meta_changed = MetaChanged(f, rec);
    // The duties as they stood before this change (the old content's clock).
    const Resolution& before = p.before;
    // What is known of the file now: its new place and attributes; its size, times and hash
    // are those of the last hashed content until the hash phase confirms a change.
    const FileView now_view = FileView::Of(f, &rec.sha256);

    if (rec.path != f.path) {
      Event e = Base("file_renamed", "change", now_view, before, holds);
      e.Set(ids_.previous_path, rec.path);
      Emit(std::move(e), "file renamed: " + rec.path + " -> " + f.path);
      rec.path = f.path;
      dirty = true;
    }
    if (f.mode != rec.mode || f.uid != rec.uid || f.gid != rec.gid) {
      Event e = Base("attributes_changed", "change", now_view, before, holds);
      Emit(std::move(e), "file mode or owner changed: " + f.path + " (" + Octal(rec.mode) + " " +
                             std::to_string(rec.uid) + ":" + std::to_string(rec.gid) + " -> " +
                             Octal(f.mode) + " " + std::to_string(f.uid) + ":" +
                             std::to_string(f.gid) + ")");
      rec.mode = f.mode;
      rec.uid = f.uid;
      rec.gid = f.gid;
      dirty = true;
    }
    if (meta_changed || rec.sha256.empty()) {
      // The content may have changed: its findings wait for the hash phase.
      if (rec.hash_pending != HashPending::kContent) dirty = true;
      rec.hash_pending = HashPending::kContent;
      pending_.push_back({key, true});
      if (!dirty) return Unchanged();
      return Write(std::move(rec));
    }
    // Unchanged metadata (a full re-hash may still be pending): the duties are as before.
    if (rec.hash_pending != HashPending::kNone) pending_.push_back({key, false});
    const Resolution& r = before;
    const std::string class_id = r.primary ? r.primary->id : "";
    if (class_id != rec.class_id || (r.primary && r.clock != rec.clock)) {
      rec.class_id = class_id;
      rec.clock = r.primary ? r.clock : "";
      dirty = true;
    }
    const uint32_t reported_before = rec.reported;
    const ItemState s = Findings(FileView::Of(f, &rec.sha256), r, holds, &rec.reported);
    CountItem(r, s, r.primary || matcher_.Unclassified(f.path));
    if (rec.reported != reported_before) dirty = true;
    if (!dirty) return Unchanged();  // commits a batch that has been open too long
    return Write(std::move(rec));
  }

  // A pending row of the hash phase: the file as it is now (statx again), and its hash.
  struct HashItem {
    BaselineRecord rec;
    FileFacts facts;
    bool deferred = false;  // its one-time findings and item count wait for this phase
    bool present = false;   // the path still holds the file of this key
    std::optional<FileHash> hashed;
  };

  // The row's path seen again: false when it is gone or holds another file now.
  static bool Restat(const BaselineRecord& rec, FileFacts* f) {
    return StatFile(rec.path, f) && KeyOf(*f) == rec.key;
  }

  // Phase 2: the pending files of this scan, in walk order, a chunk at a time: their rows
  // read again, hashed in parallel, then evaluated in that order on this thread.
  Status HashPhase(const std::function<bool()>& stopping) {
    std::vector<HashItem> items;
    const size_t limit = batch_limit_;
    bool in_table_order = bulk_ && store_.bulk_loading();
    std::vector<BaselineRecord> loaded;  // read in table order, not yet matched
    size_t loaded_next = 0;
    for (size_t at = 0; at < pending_.size(); at += limit) {
      if (stopping() || stopped_) return Status::Ok();
      const size_t end = std::min(pending_.size(), at + limit);
      items.clear();
      VIGIL_RETURN_IF_ERROR(store_.BeginRead());
      size_t i = at;
      if (in_table_order) {
        // A first scan's rows, before its key index: the table's order (directory id, name)
        // is the walk's when each directory's files came together; checked row by row.
        for (; i < end; ++i) {
          if (loaded_next == loaded.size()) {
            loaded.clear();
            loaded_next = 0;
            const Status st = store_.ReadInTableOrder(i == 0, limit, &loaded);
            if (!st.ok()) {
              (void)store_.EndRead();
              return st;
            }
            if (loaded.empty()) break;
          }
          BaselineRecord& row = loaded[loaded_next];
          if (!(row.key == pending_[i].key)) break;
          ++loaded_next;
          if (row.hash_pending == HashPending::kNone) continue;
          items.emplace_back();
          items.back().rec = std::move(row);
          items.back().deferred = pending_[i].deferred;
        }
        if (i < end) {
          // Another order (files and subdirectories interleaved, a file met twice): the key
          // index now, and lookups by key from this file on.
          in_table_order = false;
          loaded.clear();
          VIGIL_RETURN_IF_ERROR(store_.EndBulkLoad());
          VIGIL_RETURN_IF_ERROR(store_.BeginRead());
        }
      }
      for (; i < end; ++i) {
        auto found = store_.Find(pending_[i].key);
        if (!found.ok()) {
          (void)store_.EndRead();
          return found.status();
        }
        if (!*found || (*found)->hash_pending == HashPending::kNone) continue;
        items.emplace_back();
        items.back().rec = std::move(**found);
        items.back().deferred = pending_[i].deferred;
      }
      VIGIL_RETURN_IF_ERROR(store_.EndRead());
      auto hash_one = [](HashItem& it, FileHasher& hasher) {
        it.present = Restat(it.rec, &it.facts);
        if (!it.present) return;
        const BaselineRecord& rec = it.rec;
        const uint64_t prefix = (it.facts.size > rec.size && rec.size > 0 && !rec.sha256.empty())
                                    ? static_cast<uint64_t>(rec.size)
                                    : 0;
        HashError err;
        it.hashed = hasher.Hash(it.rec.path, it.facts.dev, it.facts.ino, prefix, &err);
      };
      if (pool_) {
        pool_->ParallelFor(items.size(), [&](size_t k, size_t worker) { hash_one(items[k], *hashers_[worker]); });
      } else {
        for (HashItem& it : items) hash_one(it, hasher_);
      }
      for (HashItem& it : items) {
        VIGIL_RETURN_IF_ERROR(OnHashed(it));
        if (stopped_) return Status::Ok();
      }
    }
    return Status::Ok();
  }

  // Phase 2 of one file: the content compared with the last known hash, the content
  // findings, and (for files whose metadata changed) the one-time findings and the count.
  Status OnHashed(HashItem& it) {
    BaselineRecord& rec = it.rec;
    const bool deferred = it.deferred;
    const std::vector<const LegalHold*> holds = matcher_.ActiveHolds(rec.path);
    const Resolution before =
        matcher_.Resolve(rec.path, Clocks(rec.key.birth_ns, rec.mtime_ns, rec.first_seen, rec.changed_at));
    if (!it.present || !it.hashed) {
      // Gone, replaced, or unreadable since the stat phase: the row keeps its last known
      // content and stays pending; the next scan (or live rescan) sees what became of it.
      HashFailed(rec.path);
      if (deferred) {
        FileView v = FileView::Of(rec);
        uint32_t reported = rec.reported;
        const ItemState s = Findings(v, before, holds, &reported);
        CountItem(before, s, before.primary || matcher_.Unclassified(rec.path));
        if (reported != rec.reported) {
          rec.reported = reported;
          VIGIL_RETURN_IF_ERROR(store_.Put(rec));
        }
      }
      return store_.Flush();
    }
    const FileFacts& f = it.facts;
    const FileHash& h = *it.hashed;
    ++result_.hashed;
    result_.hashed_bytes += h.bytes;
    const BaselineRecord old = rec;
    const bool meta_changed = MetaChanged(f, rec);
    bool content_changed = false;
    if (rec.sha256.empty()) {
      rec.sha256 = h.sha256;  // the first hash of a new (or so far unreadable) file
    } else if (h.sha256 != rec.sha256) {
      std::string previous = rec.sha256;
      rec.sha256 = h.sha256;
      ContentChanged(FileView::Of(f, &rec.sha256), old, previous, h, meta_changed, before, holds);
      rec.changed_at = req_.now;
      rec.reported &= ~static_cast<uint32_t>(kReportedOverdue | kReportedExpiringSoon);
      content_changed = true;
    }
    FillContent(&rec, f);
    rec.hash_pending = HashPending::kNone;
    if (deferred || content_changed) {
      if (content_changed && !deferred) {
        // Counted by the stat phase with the old content's state: counted again below.
        uint32_t all = ~0u;
        const ItemState was = Findings(FileView::Of(old), before, holds, &all);
        UncountItem(before, was, before.primary || matcher_.Unclassified(rec.path));
      }
      const Resolution r =
          matcher_.Resolve(rec.path, Clocks(rec.key.birth_ns, rec.mtime_ns, rec.first_seen, rec.changed_at));
      rec.class_id = r.primary ? r.primary->id : "";
      rec.clock = r.primary ? r.clock : "";
      const ItemState s = Findings(FileView::Of(rec), r, holds, &rec.reported);
      CountItem(r, s, r.primary || matcher_.Unclassified(rec.path));
    }
    VIGIL_RETURN_IF_ERROR(store_.Put(rec));
    return store_.Flush();
  }
  void ContentChanged(const FileView& v, const BaselineRecord& old, const std::string& previous,
                      const FileHash& h, bool meta_changed, const Resolution& before,
                      const std::vector<const LegalHold*>& holds) {
    auto with_previous = [&](Event e) {
      e.Set(ids_.previous_sha256, previous);
      e.Set(ids_.previous_size, old.size);
      return e;
    };
    Emit(with_previous(Base("file_modified", "change", v, before, holds)), "file modified: " + *v.path);
    if (!meta_changed) {
      Emit(with_previous(Base("hash_mismatch", "change", v, before, holds)),
           "content changed but size, mtime and ctime did not (timestamps reset?): " + *v.path);
    }
    const bool protected_now = before.primary && InsideMin(before);
    if (before.immutability == Immutability::kWorm && (protected_now || (before.primary && !before.min_due && !before.min_pending))) {
      Event e = with_previous(Base("early_modification", "change", v, before, holds));
      Due(e, before.min_due);
      Emit(std::move(e), "WORM record changed inside its retention period: " + *v.path);
    }
    if (before.immutability == Immutability::kAppendOnly &&
        (protected_now || (before.primary && !before.min_due && !before.min_pending))) {
      const bool appended = v.size >= old.size && h.prefix && *h.prefix == previous;
      if (!appended) {
        Event e = with_previous(Base("append_only_violation", "change", v, before, holds));
        Due(e, before.min_due);
        Emit(std::move(e), "append-only file changed other than by appending: " + *v.path);
      }
    }
    if (!holds.empty()) {
      Emit(with_previous(Base("hold_violation", "change", v, before, holds)),
           "file under legal hold " + JoinHolds(holds) + " modified: " + *v.path);
    }
  }

  Status DeletionPass() {
    // Every file of the baseline was seen again: nothing can be missing.
    if (!req_.partial && known_found_ == static_cast<uint64_t>(rows_before_)) return Status::Ok();
    if (seen_.links_only()) return Status::Ok();  // the baseline was empty: nothing to miss
    seen_.Seal();  // sorted only when a file may be missing (not for an unchanged tree)
    std::vector<FileKey> gone;
    Status inner;
    auto missing = [&](const BaselineRecord& rec) {
      if (seen_.Contains(rec.key)) return true;
      bool in_roots = false;
      for (const std::string& root : req_.walk.roots) {
        if (PathUnder(rec.path, root)) {
          in_roots = true;
          break;
        }
      }
      if (!in_roots) {
        gone.push_back(rec.key);  // out of scope now: forgotten without a finding
        return true;
      }
      if (result_.walk.InGap(rec.path)) return true;  // unknown, not deleted
      const Resolution r =
          matcher_.Resolve(rec.path, Clocks(rec.key.birth_ns, rec.mtime_ns, rec.first_seen, rec.changed_at));
      const std::vector<const LegalHold*> holds = matcher_.ActiveHolds(rec.path);
      const FileView v = FileView::Of(rec);
      // The hash was still pending: file.hash.sha256 (when present) is that of an older
      // content, or there is none; vigil.retention.hash_pending says so.
      auto pending = [&](Event e) {
        if (rec.hash_pending == HashPending::kContent || rec.sha256.empty()) e.Set(ids_.hash_pending, true);
        return e;
      };
      Emit(pending(Base("file_deleted", "deletion", v, r, holds)), "file deleted: " + rec.path);
      if (r.primary && InsideMin(r)) {
        Event e = pending(Base("early_deletion", "deletion", v, r, holds));
        Due(e, r.min_due);
        Emit(std::move(e), "file deleted inside its minimum retention (" +
                               (r.primary->min ? r.primary->min->text : std::string("pending")) +
                               "): " + rec.path);
      }
      if (!holds.empty()) {
        Emit(pending(Base("hold_violation", "deletion", v, r, holds)),
             "file under legal hold " + JoinHolds(holds) + " deleted: " + rec.path);
      }
      gone.push_back(rec.key);
      return !stopped_;
    };
    if (req_.partial) {
      for (const std::string& root : req_.walk.roots) {
        VIGIL_RETURN_IF_ERROR(store_.ForEachUnder(root, missing));
        if (stopped_) break;
      }
    } else {
      VIGIL_RETURN_IF_ERROR(store_.ForEach(missing));
    }
    for (const FileKey& k : gone) {
      VIGIL_RETURN_IF_ERROR(store_.Remove(k));
      VIGIL_RETURN_IF_ERROR(store_.Flush());
    }
    return inner;
  }

  void GapEvent() {
    std::optional<int64_t> late;  // seconds since the previous scan ended
    if (req_.expected_by && req_.previous_end && req_.now > *req_.expected_by) late = req_.now - *req_.previous_end;
    std::string msg;
    auto e = ScanGapEvent(ids_, policy_.file, req_.now, result_.walk, late, req_.gap_reasons, &msg);
    if (e) Emit(std::move(*e), std::move(msg));
  }

  void HashFailed(const std::string& path) {
    result_.walk.Count(WalkIssue::kHash);
    (void)path;
  }

  // Everything but the path (the caller moves or copies it).
  static void Fill(BaselineRecord* rec, const FileFacts& f) {
    rec->size = f.size;
    rec->mtime_ns = f.mtime_ns;
    rec->ctime_ns = f.ctime_ns;
    rec->mode = f.mode;
    rec->uid = f.uid;
    rec->gid = f.gid;
  }

  // A content-only update: size and times (not path, mode or owner: the stat phase reports
  // changes of those).
  static void FillContent(BaselineRecord* rec, const FileFacts& f) {
    rec->size = f.size;
    rec->mtime_ns = f.mtime_ns;
    rec->ctime_ns = f.ctime_ns;
  }


  const RetentionPolicy& policy_;
  BaselineStore& store_;
  const RetentionFieldIds& ids_;
  const RetentionScan::EmitFn& emit_;
  FileHasher& hasher_;
  const ScanRequest& req_;
  ScanResult result_;
  SeenKeys seen_;
  // Files of this scan whose hash is pending, in walk order; deferred: a known file whose
  // metadata changed (its one-time findings and item count wait for the hash phase).
  struct Pending {
    FileKey key;
    bool deferred;
  };
  std::vector<Pending> pending_;
  FileEventBuilder events_;  // the findings' common fields
  // The policy applied a directory at a time: this thread's for the evaluation, its own for
  // the lookups of a batch (a batch's lookups all run before its evaluation: each keeps its
  // directory), and one per pool thread (the lookups run there when it has a reader).
  PolicyMatcher matcher_;
  PolicyMatcher lookup_matcher_;
  std::vector<std::unique_ptr<PolicyMatcher>> matchers_;
  Status status_;
  Batch batches_[2];
  size_t cur_ = 0;  // the batch being filled; the other's lookups may be under way
  size_t batch_limit_ = 1;   // the hash phase's chunk
  size_t lookup_limit_ = 1;  // the stat phase's batch
  std::unique_ptr<WorkerPool> pool_;              // lookup and hashing threads (workers > 1)
  std::vector<std::unique_ptr<BaselineReader>> readers_;  // one per pool thread, or none
  std::vector<std::unique_ptr<FileHasher>> hashers_;  // one per pool thread
  std::unique_ptr<BaselineWriter> writer_;  // the stat phase's rows, during the walk (workers > 1)
  bool initial_ = false;
  bool bulk_ = false;           // a load into an empty baseline (its key index built at the end)
  int64_t rows_before_ = 0;     // baseline rows when the scan started
  uint64_t known_found_ = 0;    // files of this scan that the baseline had
  bool stopped_ = false;
};

}  // namespace

std::string_view ItemStateName(ItemState s) {
  switch (s) {
    case ItemState::kOk: return "ok";
    case ItemState::kExpiringSoon: return "expiring_soon";
    case ItemState::kOverdue: return "overdue";
    case ItemState::kHeld: return "held";
    case ItemState::kUnclassified: return "unclassified";
    case ItemState::kCount: break;
  }
  return "ok";
}

Result<ScanResult> RetentionScan::Run(const ScanRequest& request, const std::function<bool()>& stopping) {
  Scan scan(policy_, store_, ids_, emit_, hasher_, request);
  return scan.Run(stopping);
}

}  // namespace vigil::retention
