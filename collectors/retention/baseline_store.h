// BaselineStore: what the retention scanner knows about each file, in SQLite.
//
// A file is keyed by (device, inode, birth time): a rename keeps the key, a delete-and-
// recreate does not. Each row holds the path, size, times, mode, owner, SHA-256, when Vigil
// first saw the file and last saw its content change, its class and clock, which one-time
// findings (overdue, expiring_soon, unclassified) were already raised, so that a restart does
// not raise them again, and whether its hash is pending (the scan's hash phase, which a
// restart resumes).
//
// Tables are prefixed `retention_` and versioned in their own table (retention_schema),
// not in PRAGMA user_version: the baseline shares its database file with the alert store
// (`<state_dir>/vigil.db`, or replay's --db), whose migrations own user_version.
// Schema 3 keeps the row small (a million are written by a first scan): retention_baseline
// holds a directory id and the file's name (retention_dirs), the class and clock as ids
// (retention_labels) and the SHA-256 as 32 bytes; BaselineRecord has them in full. The
// view retention_files shows schema 2's columns for SQL readers (reports). Path order is the
// byte order of the full path (the open directories' rows merged). Schema 5 stores the table
// in (dir, name, key) order, which is also its path index, and looks rows up by key through a
// unique index on (dev, ino, birth_ns).
//
// Writes are batched: after Begin(), the first write opens a transaction that Flush()
// commits after kBatch writes or kMaxTransaction, and Commit() ends. A scan never holds the
// write lock long (the alert store writes to the same file), and a scan that writes nothing
// never takes it.
//
// A first scan into an empty baseline is a bulk load (BeginBulkLoad, EndBulkLoad): its rows
// come a directory at a time, in name order, so they are appended to the table; the key index
// is dropped before them and built once, sorted, after the last (integer keys), not kept up
// row by row, and the WAL is checkpointed every 64 MiB instead of 4 MiB. During a load, Find
// and Remove are correct but scan the table (a first scan looks nothing up), and a Put does
// not replace the row of the same key at another path: EndBulkLoad keeps one of them. Open()
// builds the index again when a load stopped before its end.
//
// Threading: one thread at a time uses a store (the collector's, or during a scan's walk the
// BaselineWriter's thread it is handed to); it owns its sqlite::Database. Other
// threads look rows up through their own BaselineReader.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/sqlite.h"
#include "vigil/status.h"

namespace vigil::retention {

struct FileKey {
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t birth_ns = 0;
  bool operator==(const FileKey&) const = default;
};

struct FileKeyHash {
  size_t operator()(const FileKey& k) const {
    uint64_t h = k.dev * 0x9E3779B97F4A7C15ull;
    h ^= k.ino + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(k.birth_ns) + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
  }
};

// Bits of BaselineRecord::reported.
enum ReportedFinding : uint32_t {
  kReportedOverdue = 1,
  kReportedExpiringSoon = 2,
  kReportedUnclassified = 4,
};

// Whether the scan's hash phase has yet to hash a file (BaselineRecord::hash_pending).
enum class HashPending : uint8_t {
  kNone = 0,
  // New (sha256 empty), or its size, mtime or ctime changed: size, mtime_ns, ctime_ns and
  // sha256 are still those of the last hashed content, which may not be the file's now.
  kContent = 1,
  // A full re-hash is under way: the recorded hash matched these facts when last read.
  kVerify = 2,
};

struct BaselineRecord {
  FileKey key;
  std::string path;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string sha256;       // empty: could not be read
  int64_t first_seen = 0;   // Unix seconds
  int64_t changed_at = 0;   // Unix seconds; 0: no change seen by Vigil
  std::string class_id;     // primary class; empty: none
  std::string clock;        // birth | first_seen | mtime | event
  uint32_t reported = 0;    // ReportedFinding bits
  HashPending hash_pending = HashPending::kNone;
};

// The ids of schema 3's small tables, both ways, for one connection: a row stores its
// directory (retention_dirs, the path up to and including its last '/') and its class and
// clock (retention_labels) as integers. Ids are never reused nor changed, so the caches (the
// last directory, which walk order makes a hit for most rows, and every label: a policy has
// few) stay true while other connections add rows.
class BaselineNames {
 public:
  // `write`: may add directories and labels (DirId, LabelId).
  Status Prepare(sqlite::Database& db, bool write);
  Result<int64_t> DirId(std::string_view dir);
  // The id of a directory already known; -1: none (nothing added).
  Result<int64_t> FindDirId(std::string_view dir);
  Result<int64_t> LabelId(std::string_view label);
  Result<std::string> Dir(int64_t id);
  Result<std::string> Label(int64_t id);
  // Drops the caches: after a failed write, whose transaction may be rolled back with the
  // ids it added.
  void Forget();

 private:
  Result<int64_t> IdOf(sqlite::Statement& find, sqlite::Statement& add, std::string_view text);
  sqlite::Database* db_ = nullptr;
  sqlite::Statement dir_find_, dir_add_, dir_path_, label_find_, label_add_, label_text_;
  int64_t last_dir_id_ = -1;
  std::string last_dir_;
  std::vector<std::pair<int64_t, std::string>> labels_;  // id, label
};

// The lookups of a walk's files, a directory's files in name order (the table's own order
// since schema 5): one search of the table per directory (or batch of lookups), then one step
// per file, instead of one search per file. Find gives what a search at the path, then by key,
// would: the row of `key` at `path` when there is one, else the row of `key` (renamed), else
// none. The position is kept between calls while the caller's transaction lasts: Reset()
// before it ends (and before a write on the connection). Files out of order, or in another
// directory, search again. Implemented in baseline_cursor.cc.
class PathCursor {
 public:
  Status Prepare(sqlite::Database& db);
  // `by_key`: the connection's lookup by key (dev, ino, birth_ns as ?1-?3). The row into
  // `out` (its strings' buffers reused); false: none.
  Result<bool> Find(const FileKey& key, std::string_view path, BaselineNames& names, sqlite::Statement& by_key,
                    BaselineRecord* out);
  void Reset();

 private:
  // Positions on the first row of dir_id_ at or after `name`.
  Status Seek(std::string_view name);
  Status Step();

  sqlite::Statement q_;
  bool open_ = false;   // q_ is stepping through dir_id_'s rows
  bool done_ = false;   // ... and has no row left
  int64_t dir_id_ = -1;
  std::string dir_;        // dir_id_'s path
  std::string last_name_;  // the name last looked for
};

// A second, read-only connection to a store's database for lookups from another thread (the
// scan's workers look a batch up in parallel). It sees what the store has committed.
class BaselineReader {
 public:
  Result<std::optional<BaselineRecord>> Find(const FileKey& key);
  // The same answer as Find(key), looked for at `path` first (a rescan's files are mostly
  // where they were), then by key. Inside BeginRead/EndRead, lookups in walk order step
  // through each directory's rows (PathCursor) instead of searching the table for each.
  Result<std::optional<BaselineRecord>> Find(const FileKey& key, std::string_view path);
  // The same, into `out` (a record reused from one lookup to the next keeps its buffers);
  // false: none (`out` unspecified).
  Result<bool> Find(const FileKey& key, std::string_view path, BaselineRecord* out);
  Status BeginRead();  // one read transaction around several lookups
  Status EndRead();

 private:
  friend class BaselineStore;
  sqlite::Database db_;
  sqlite::Statement find_;
  PathCursor cursor_;
  BaselineNames names_;
  sqlite::ReadBatch read_;
};

class BaselineStore {
 public:
  static constexpr int kBatch = 5000;
  static constexpr std::chrono::milliseconds kMaxTransaction{200};

  // Opens (creating) the database at `path` and brings the retention tables up to date.
  static Result<std::unique_ptr<BaselineStore>> Open(const std::string& path);

  Result<std::optional<BaselineRecord>> Find(const FileKey& key);
  // As BaselineReader::Find(key, path) (and into a record).
  Result<std::optional<BaselineRecord>> Find(const FileKey& key, std::string_view path);
  Result<bool> Find(const FileKey& key, std::string_view path, BaselineRecord* out);
  // A reader for another thread; an error for an in-memory database (nothing to share).
  Result<std::unique_ptr<BaselineReader>> OpenReader() const;
  Status Put(const BaselineRecord& record);  // insert or replace
  // As Put for each of `records` in order, kPutManyRows at a time in one statement: SQLite
  // keeps its cursor across the rows of one statement, so a run of rows appended in the
  // table's order (a first scan's) does not descend the tree again for each row, and the
  // statement's overhead is paid once per kPutManyRows rows.
  Status PutMany(std::span<const BaselineRecord> records);
  static constexpr int kPutManyRows = 32;
  Status Remove(const FileKey& key);
  // Every record in path order; `fn` returning false stops early.
  Status ForEach(const std::function<bool(const BaselineRecord&)>& fn);
  // The records whose path is `dir` or lies below it, in path order. `fn` must not call
  // ForEachUnder again (its statements are kept for the next call).
  Status ForEachUnder(const std::string& dir, const std::function<bool(const BaselineRecord&)>& fn);
  Result<int64_t> Count();
  // Removes the directory rows no file refers to any more (their files deleted, moved or out
  // of scope); returns how many. Ids are never reused (AUTOINCREMENT), so other connections'
  // caches stay true. One probe of the table (its path order) per directory row.
  Result<int64_t> PruneDirs();
  // Removes the labels (classes, clocks) no row refers to, among those not in `current` (the
  // labels the policy in force can give: while it is unchanged, nothing is looked for and the
  // check costs a read of the few label rows; a label outside it costs a probe of the table,
  // a scan of it when unused); returns how many. Ids are never reused (AUTOINCREMENT).
  Result<int64_t> PruneLabels(const std::vector<std::string>& current);

  // Every row not pending becomes pending kVerify (a full re-hash starts).
  Status MarkAllPending();

  // Small named integers (last scan times, scan count).
  Result<std::optional<int64_t>> GetState(std::string_view key);
  Status SetState(std::string_view key, int64_t value);

  // A read transaction around several lookups (one set of locks for all), unless a write
  // transaction is open already; a write ends it first.
  Status BeginRead();
  Status EndRead();

  // A load into an empty table: the key index dropped until EndBulkLoad (inside the batch:
  // Begin() first). Lookups by key (Find, Remove) stay correct, only slower.
  // EndBulkLoad does nothing when no load is under way (a scan calls it first, to end a load
  // that a stopped scan left).
  Status BeginBulkLoad();
  Status EndBulkLoad();
  bool bulk_loading() const { return bulk_loading_; }
  // The rows in the table's order (directory id, name, key: a load's walk order), up to `max`
  // after those of the last call (`from_start`: from the first row), appended to `out`; fewer
  // than `max` at the end. Needs no key index: for a load's hash phase.
  Status ReadInTableOrder(bool from_start, size_t max, std::vector<BaselineRecord>* out);

  Status Begin();
  Status Flush();  // commits and re-opens the batch when kBatch writes are pending
  Status Commit();

  const std::string& path() const { return path_; }

 private:
  BaselineStore() = default;
  Status Prepare();
  // The unique index by key; a load's rows that share a key (one file met at two paths) are
  // first cut to one.
  Status BuildKeyIndex();
  Status Wrote(int rows = 1);  // `rows` written (counted towards the batch's commit)
  Status BeforeWrite();
  // The rows of the directories in dirs (id, path; in path order), in path order.
  Status Merge(const std::vector<std::pair<int64_t, std::string>>& dirs,
               const std::function<bool(const BaselineRecord&)>& fn);

  std::string path_;
  sqlite::Database db_;
  sqlite::Statement find_, put_, remove_, get_state_, set_state_;
  PathCursor cursor_;  // Find(key, path)
  std::optional<sqlite::Statement> put_many_;  // PutMany's, prepared on first use
  std::optional<sqlite::Statement> under_self_, under_dirs_;  // ForEachUnder's, prepared on first use
  std::optional<sqlite::Statement> in_order_;  // ReadInTableOrder's, prepared on first use
  int64_t in_order_dir_ = -1;                   // ... and the last row it gave
  std::string in_order_name_;
  FileKey in_order_key_;
  BaselineNames names_;
  bool batching_ = false;
  bool in_tx_ = false;
  sqlite::ReadBatch read_;
  bool bulk_loading_ = false;  // the key index dropped until EndBulkLoad
  int pending_ = 0;
  std::chrono::steady_clock::time_point tx_started_;
};

}  // namespace vigil::retention
