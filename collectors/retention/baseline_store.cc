#include "baseline_store.h"

#include <span>

namespace vigil::retention {
namespace {

struct TableMigration {
  int version;
  const char* sql;
};

// The retention tables' own migrations (see the header for why not Database::Migrate).
constexpr TableMigration kMigrations[] = {
    {1,
     "CREATE TABLE retention_files ("
     "  dev INTEGER NOT NULL, ino INTEGER NOT NULL, birth_ns INTEGER NOT NULL,"
     "  path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
     "  ctime_ns INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL,"
     "  gid INTEGER NOT NULL, sha256 TEXT NOT NULL, first_seen INTEGER NOT NULL,"
     "  changed_at INTEGER NOT NULL, class TEXT NOT NULL, clock TEXT NOT NULL,"
     "  reported INTEGER NOT NULL DEFAULT 0,"
     "  PRIMARY KEY (dev, ino, birth_ns)) WITHOUT ROWID;"
     "CREATE INDEX retention_files_by_path ON retention_files(path);"
     "CREATE TABLE retention_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"},
    // The hash phase: rows whose content hash is still to be computed (1: content unknown,
    // 2: a full re-hash to verify). No index: a scan finds them as it looks each file up.
    {2, "ALTER TABLE retention_files ADD COLUMN hash_pending INTEGER NOT NULL DEFAULT 0;"},
};

// The path index (ForEach, ForEachUnder): created by migration 1, dropped during a bulk load.
constexpr const char* kPathIndex =
    "CREATE INDEX IF NOT EXISTS retention_files_by_path ON retention_files(path)";

constexpr const char* kColumns =
    "dev, ino, birth_ns, path, size, mtime_ns, ctime_ns, mode, uid, gid, sha256, first_seen,"
    " changed_at, class, clock, reported, hash_pending";
constexpr const char* kFindSql = "FROM retention_files WHERE dev = ?1 AND ino = ?2 AND birth_ns = ?3";

BaselineRecord Read(const sqlite::Statement& s) {
  BaselineRecord r;
  r.key.dev = static_cast<uint64_t>(s.Int(0));
  r.key.ino = static_cast<uint64_t>(s.Int(1));
  r.key.birth_ns = s.Int(2);
  r.path = s.Text(3);
  r.size = s.Int(4);
  r.mtime_ns = s.Int(5);
  r.ctime_ns = s.Int(6);
  r.mode = static_cast<uint32_t>(s.Int(7));
  r.uid = static_cast<uint32_t>(s.Int(8));
  r.gid = static_cast<uint32_t>(s.Int(9));
  r.sha256 = s.Text(10);
  r.first_seen = s.Int(11);
  r.changed_at = s.Int(12);
  r.class_id = s.Text(13);
  r.clock = s.Text(14);
  r.reported = static_cast<uint32_t>(s.Int(15));
  const int64_t pending = s.Int(16);
  r.hash_pending = pending == 1   ? HashPending::kContent
                   : pending == 2 ? HashPending::kVerify
                                  : HashPending::kNone;
  return r;
}

Status MigrateRetention(sqlite::Database& db) {
  VIGIL_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS retention_schema (version INTEGER NOT NULL)"));
  int64_t version = 0;
  {
    auto q = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM retention_schema");
    if (!q.ok()) return q.status();
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) version = q->Int(0);
  }
  const int64_t latest = kMigrations[std::size(kMigrations) - 1].version;
  if (version > latest) {
    return Status::FailedPrecondition(db.path() + ": retention baseline schema " +
                                      std::to_string(version) + " is newer than this Vigil (" +
                                      std::to_string(latest) + ")");
  }
  for (const TableMigration& m : kMigrations) {
    if (m.version <= version) continue;
    sqlite::Transaction tx(db);
    VIGIL_RETURN_IF_ERROR(tx.begin_status());
    VIGIL_RETURN_IF_ERROR(db.Exec(m.sql));
    VIGIL_RETURN_IF_ERROR(db.Exec("DELETE FROM retention_schema; INSERT INTO retention_schema VALUES (" +
                                  std::to_string(m.version) + ")"));
    VIGIL_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<BaselineStore>> BaselineStore::Open(const std::string& path) {
  auto db = sqlite::Database::Open(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<BaselineStore> s(new BaselineStore);
  s->path_ = path;
  s->db_ = std::move(*db);
  VIGIL_RETURN_IF_ERROR(MigrateRetention(s->db_));
  // A bulk load that stopped (crash, error) before its end left the table without it.
  VIGIL_RETURN_IF_ERROR(s->db_.Exec(kPathIndex));
  VIGIL_RETURN_IF_ERROR(s->Prepare());
  return s;
}

Status BaselineStore::Prepare() {
  auto prep = [&](sqlite::Statement* out, const std::string& sql) -> Status {
    auto s = db_.Prepare(sql);
    if (!s.ok()) return s.status();
    *out = std::move(*s);
    return Status::Ok();
  };
  VIGIL_RETURN_IF_ERROR(prep(&find_, std::string("SELECT ") + kColumns + " " + kFindSql));
  VIGIL_RETURN_IF_ERROR(prep(&put_, std::string("INSERT OR REPLACE INTO retention_files (") + kColumns +
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"));
  VIGIL_RETURN_IF_ERROR(
      prep(&remove_, "DELETE FROM retention_files WHERE dev = ?1 AND ino = ?2 AND birth_ns = ?3"));
  VIGIL_RETURN_IF_ERROR(prep(&get_state_, "SELECT value FROM retention_state WHERE key = ?1"));
  VIGIL_RETURN_IF_ERROR(
      prep(&set_state_, "INSERT OR REPLACE INTO retention_state (key, value) VALUES (?1, ?2)"));
  return Status::Ok();
}

namespace {

Result<std::optional<BaselineRecord>> FindWith(sqlite::Statement& find, const FileKey& key) {
  find.Reset();
  find.Bind(1, static_cast<int64_t>(key.dev)).Bind(2, static_cast<int64_t>(key.ino)).Bind(3, key.birth_ns);
  auto row = find.Step();
  if (!row.ok()) return row.status();
  std::optional<BaselineRecord> out;
  if (*row) out = Read(find);
  find.Reset();
  return out;
}

}  // namespace

Result<std::optional<BaselineRecord>> BaselineReader::Find(const FileKey& key) { return FindWith(find_, key); }

Status BaselineReader::BeginRead() { return read_.Begin(db_); }

Status BaselineReader::EndRead() { return read_.End(db_); }

Result<std::unique_ptr<BaselineReader>> BaselineStore::OpenReader() const {
  if (path_.empty() || path_ == ":memory:" || path_.rfind("file:", 0) == 0) {
    return Status::FailedPrecondition("retention baseline " + path_ + ": in memory, no second connection");
  }
  auto db = sqlite::Database::Open(path_, sqlite::kReadOnly);
  if (!db.ok()) return db.status();
  std::unique_ptr<BaselineReader> r(new BaselineReader);
  r->db_ = std::move(*db);
  auto find = r->db_.Prepare(std::string("SELECT ") + kColumns + " " + kFindSql);
  if (!find.ok()) return find.status();
  r->find_ = std::move(*find);
  return r;
}

Result<std::optional<BaselineRecord>> BaselineStore::Find(const FileKey& key) { return FindWith(find_, key); }

Status BaselineStore::Put(const BaselineRecord& r) {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  put_.Reset();
  put_.Bind(1, static_cast<int64_t>(r.key.dev))
      .Bind(2, static_cast<int64_t>(r.key.ino))
      .Bind(3, r.key.birth_ns)
      .Bind(4, std::string_view(r.path))
      .Bind(5, r.size)
      .Bind(6, r.mtime_ns)
      .Bind(7, r.ctime_ns)
      .Bind(8, static_cast<int64_t>(r.mode))
      .Bind(9, static_cast<int64_t>(r.uid))
      .Bind(10, static_cast<int64_t>(r.gid))
      .Bind(11, std::string_view(r.sha256))
      .Bind(12, r.first_seen)
      .Bind(13, r.changed_at)
      .Bind(14, std::string_view(r.class_id))
      .Bind(15, std::string_view(r.clock))
      .Bind(16, static_cast<int64_t>(r.reported))
      .Bind(17, static_cast<int64_t>(r.hash_pending));
  VIGIL_RETURN_IF_ERROR(put_.Run());
  put_.Reset();
  return Wrote();
}

Status BaselineStore::Remove(const FileKey& key) {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  remove_.Reset();
  remove_.Bind(1, static_cast<int64_t>(key.dev)).Bind(2, static_cast<int64_t>(key.ino)).Bind(3, key.birth_ns);
  VIGIL_RETURN_IF_ERROR(remove_.Run());
  remove_.Reset();
  return Wrote();
}

Status BaselineStore::ForEach(const std::function<bool(const BaselineRecord&)>& fn) {
  auto q = db_.Prepare(std::string("SELECT ") + kColumns + " FROM retention_files ORDER BY path, dev, ino, birth_ns");
  if (!q.ok()) return q.status();
  for (;;) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (!fn(Read(*q))) break;
  }
  return Status::Ok();
}

Status BaselineStore::ForEachUnder(const std::string& dir,
                                   const std::function<bool(const BaselineRecord&)>& fn) {
  if (dir == "/") return ForEach(fn);
  // Below "/a/b": paths from "/a/b/" up to (not including) "/a/b0" ('0' follows '/'); the
  // path index serves both ranges.
  auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                       " FROM retention_files WHERE path = ?1 OR (path >= ?2 AND path < ?3)"
                       " ORDER BY path, dev, ino, birth_ns");
  if (!q.ok()) return q.status();
  q->Bind(1, std::string_view(dir)).Bind(2, dir + "/").Bind(3, dir + "0");
  for (;;) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (!fn(Read(*q))) break;
  }
  return Status::Ok();
}

Status BaselineStore::MarkAllPending() {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  VIGIL_RETURN_IF_ERROR(db_.Exec("UPDATE retention_files SET hash_pending = 2 WHERE hash_pending = 0"));
  return Wrote();
}

Result<int64_t> BaselineStore::Count() {
  auto q = db_.Prepare("SELECT COUNT(*) FROM retention_files");
  if (!q.ok()) return q.status();
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return *row ? q->Int(0) : int64_t{0};
}

Result<std::optional<int64_t>> BaselineStore::GetState(std::string_view key) {
  get_state_.Reset();
  get_state_.Bind(1, key);
  auto row = get_state_.Step();
  if (!row.ok()) return row.status();
  std::optional<int64_t> out;
  if (*row) out = get_state_.Int(0);
  get_state_.Reset();
  return out;
}

Status BaselineStore::SetState(std::string_view key, int64_t value) {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  set_state_.Reset();
  set_state_.Bind(1, key).Bind(2, value);
  VIGIL_RETURN_IF_ERROR(set_state_.Run());
  set_state_.Reset();
  return Wrote();
}

Status BaselineStore::BeginRead() {
  if (in_tx_) return Status::Ok();
  return read_.Begin(db_);
}

Status BaselineStore::EndRead() { return read_.End(db_); }

Status BaselineStore::BeginBulkLoad() {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  VIGIL_RETURN_IF_ERROR(db_.Exec("DROP INDEX IF EXISTS retention_files_by_path"));
  bulk_loading_ = true;
  return Wrote();
}

Status BaselineStore::EndBulkLoad() {
  if (!bulk_loading_) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  VIGIL_RETURN_IF_ERROR(db_.Exec(kPathIndex));
  bulk_loading_ = false;
  return Wrote();
}

Status BaselineStore::Begin() {
  batching_ = true;
  return Status::Ok();
}

Status BaselineStore::Wrote() {
  if (batching_) ++pending_;
  return Status::Ok();
}

Status BaselineStore::BeforeWrite() {
  VIGIL_RETURN_IF_ERROR(EndRead());
  if (!batching_ || in_tx_) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  in_tx_ = true;
  pending_ = 0;
  tx_started_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status BaselineStore::Flush() {
  if (!in_tx_) return Status::Ok();
  if (pending_ < kBatch && std::chrono::steady_clock::now() - tx_started_ < kMaxTransaction) {
    return Status::Ok();
  }
  in_tx_ = false;
  return db_.Exec("COMMIT");
}

Status BaselineStore::Commit() {
  VIGIL_RETURN_IF_ERROR(EndRead());
  batching_ = false;
  if (!in_tx_) return Status::Ok();
  in_tx_ = false;
  return db_.Exec("COMMIT");
}

}  // namespace vigil::retention
