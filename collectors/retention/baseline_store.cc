#include "baseline_store.h"

#include <algorithm>
#include <span>

#include "baseline_row.h"
#include "baseline_schema.h"

namespace vigil::retention {
namespace {

constexpr const char* kColumns = kBaselineColumns;

// The lookup by key (FindByKey), for the store's connection and each reader's.
std::string FindByKeySql() {
  return std::string("SELECT ") + kColumns + " FROM retention_baseline WHERE dev = ?1 AND ino = ?2 AND birth_ns = ?3";
}
}  // namespace

std::string PutSql(int rows) {
  std::string sql =
      "INSERT OR REPLACE INTO retention_baseline (dev, ino, birth_ns, dir, name, size, mtime_ns, ctime_ns,"
      " mode, uid, gid, sha256, first_seen, changed_at, class, clock, reported, hash_pending) VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 1; c <= kPutColumns; ++c) {
      sql += c == 1 ? "?" : ", ?";
      sql += std::to_string(r * kPutColumns + c);
    }
    sql += ')';
  }
  return sql;
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A SHA-256 in lowercase hex is stored as its 32 bytes; anything else (empty: not hashed)
// as it is, as text, and read back the same.
void BindSha256(sqlite::Statement& s, int index, const std::string& hex) {
  std::byte raw[32];
  bool packed = hex.size() == 64;
  for (size_t i = 0; packed && i < 32; ++i) {
    const int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) packed = false;
    else raw[i] = static_cast<std::byte>(hi * 16 + lo);
  }
  if (packed) s.BindBlob(index, std::span<const std::byte>(raw, 32));
  else s.BindUncopied(index, hex);  // the record outlives the row's Run() and Reset()
}

// Into `hex`, whose buffer a reused record keeps (no copy of the column first).
void Sha256Of(const sqlite::Statement& s, int col, std::string* hex) {
  if (!s.IsBlob(col)) {
    hex->assign(s.TextView(col));
    return;
  }
  const std::string_view raw = s.BlobView(col);
  hex->resize(raw.size() * 2);
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    (*hex)[2 * i] = "0123456789abcdef"[c >> 4];
    (*hex)[2 * i + 1] = "0123456789abcdef"[c & 15];
  }
}

}  // namespace

// The directory part of a path (up to and including its last '/'; empty: none) and its name.
std::pair<std::string_view, std::string_view> SplitDirName(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {path.substr(0, 0), path};  // "" (not NULL)
  return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

Status ReadRow(const sqlite::Statement& s, BaselineNames& names, const std::string* dir, BaselineRecord* r) {
  r->key.dev = static_cast<uint64_t>(s.Int(0));
  r->key.ino = static_cast<uint64_t>(s.Int(1));
  r->key.birth_ns = s.Int(2);
  const std::string_view name = s.TextView(4);
  if (dir != nullptr) {
    r->path.reserve(dir->size() + name.size());  // one allocation for the whole path
    r->path = *dir;
  } else {
    auto d = names.Dir(s.Int(3));
    if (!d.ok()) return d.status();
    r->path = std::move(*d);
  }
  r->path += name;
  r->size = s.Int(5);
  r->mtime_ns = s.Int(6);
  r->ctime_ns = s.Int(7);
  r->mode = static_cast<uint32_t>(s.Int(8));
  r->uid = static_cast<uint32_t>(s.Int(9));
  r->gid = static_cast<uint32_t>(s.Int(10));
  Sha256Of(s, 11, &r->sha256);
  r->first_seen = s.Int(12);
  r->changed_at = s.Int(13);
  auto cls = names.Label(s.Int(14));
  if (!cls.ok()) return cls.status();
  r->class_id = std::move(*cls);
  auto clock = names.Label(s.Int(15));
  if (!clock.ok()) return clock.status();
  r->clock = std::move(*clock);
  r->reported = static_cast<uint32_t>(s.Int(16));
  const int64_t pending = s.Int(17);
  r->hash_pending = pending == 1   ? HashPending::kContent
                    : pending == 2 ? HashPending::kVerify
                                   : HashPending::kNone;
  return Status::Ok();
}

Status BindRow(sqlite::Statement& put, BaselineNames& names, const BaselineRecord& r, int base) {
  const auto [dir, name] = SplitDirName(r.path);
  auto dir_id = names.DirId(dir);
  if (!dir_id.ok()) return dir_id.status();
  auto class_id = names.LabelId(r.class_id);
  if (!class_id.ok()) return class_id.status();
  auto clock_id = names.LabelId(r.clock);
  if (!clock_id.ok()) return clock_id.status();
  put.Bind(base + 1, static_cast<int64_t>(r.key.dev))
      .Bind(base + 2, static_cast<int64_t>(r.key.ino))
      .Bind(base + 3, r.key.birth_ns)
      .Bind(base + 4, *dir_id)
      .BindUncopied(base + 5, name)  // a view of r.path, alive until the caller's Run() and Reset()
      .Bind(base + 6, r.size)
      .Bind(base + 7, r.mtime_ns)
      .Bind(base + 8, r.ctime_ns)
      .Bind(base + 9, static_cast<int64_t>(r.mode))
      .Bind(base + 10, static_cast<int64_t>(r.uid))
      .Bind(base + 11, static_cast<int64_t>(r.gid));
  BindSha256(put, base + 12, r.sha256);
  put.Bind(base + 13, r.first_seen)
      .Bind(base + 14, r.changed_at)
      .Bind(base + 15, *class_id)
      .Bind(base + 16, *clock_id)
      .Bind(base + 17, static_cast<int64_t>(r.reported))
      .Bind(base + 18, static_cast<int64_t>(r.hash_pending));
  return Status::Ok();
}

// ---- BaselineStore ---------------------------------------------------------------------------

Result<std::unique_ptr<BaselineStore>> BaselineStore::Open(const std::string& path) {
  auto db = sqlite::Database::Open(path);
  if (!db.ok()) return db.status();
  std::unique_ptr<BaselineStore> s(new BaselineStore);
  s->path_ = path;
  s->db_ = std::move(*db);
  VIGIL_RETURN_IF_ERROR(MigrateRetention(s->db_));
  // The WAL file, grown by a bulk load, is cut back to 16 MiB when it restarts.
  VIGIL_RETURN_IF_ERROR(s->db_.Exec("PRAGMA journal_size_limit = 16777216"));
  // A bulk load that stopped (crash, error) before its end left the table without it.
  VIGIL_RETURN_IF_ERROR(s->BuildKeyIndex());
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
  VIGIL_RETURN_IF_ERROR(prep(&find_, FindByKeySql()));
  VIGIL_RETURN_IF_ERROR(cursor_.Prepare(db_));
  VIGIL_RETURN_IF_ERROR(prep(&put_, PutSql(1)));
  VIGIL_RETURN_IF_ERROR(
      prep(&remove_, "DELETE FROM retention_baseline WHERE dev = ?1 AND ino = ?2 AND birth_ns = ?3"));
  VIGIL_RETURN_IF_ERROR(prep(&get_state_, "SELECT value FROM retention_state WHERE key = ?1"));
  VIGIL_RETURN_IF_ERROR(
      prep(&set_state_, "INSERT OR REPLACE INTO retention_state (key, value) VALUES (?1, ?2)"));
  return names_.Prepare(db_, true);
}

namespace {

// A lookup into a record as an optional one.
template <class F>
Result<std::optional<BaselineRecord>> OptionalOf(F&& find_into) {
  std::optional<BaselineRecord> out;
  out.emplace();
  auto found = find_into(&*out);
  if (!found.ok()) return found.status();
  if (!*found) out.reset();
  return out;
}

}  // namespace

Result<std::optional<BaselineRecord>> FindByKey(sqlite::Statement& find, BaselineNames& names, const FileKey& key) {
  find.Reset();
  find.Bind(1, static_cast<int64_t>(key.dev)).Bind(2, static_cast<int64_t>(key.ino)).Bind(3, key.birth_ns);
  auto row = find.Step();
  if (!row.ok()) return row.status();
  std::optional<BaselineRecord> out;
  if (*row) {
    out.emplace();
    const Status st = ReadRow(find, names, nullptr, &*out);
    if (!st.ok()) {
      find.Reset();
      return st;
    }
  }
  find.Reset();
  return out;
}

Result<std::optional<BaselineRecord>> BaselineReader::Find(const FileKey& key) { return FindByKey(find_, names_, key); }

Result<bool> BaselineReader::Find(const FileKey& key, std::string_view path, BaselineRecord* out) {
  auto found = cursor_.Find(key, path, names_, find_, out);
  if (!read_.open()) cursor_.Reset();  // not kept past its (implicit) transaction
  return found;
}

Result<std::optional<BaselineRecord>> BaselineReader::Find(const FileKey& key, std::string_view path) {
  return OptionalOf([&](BaselineRecord* out) { return Find(key, path, out); });
}

Status BaselineReader::BeginRead() { return read_.Begin(db_); }

Status BaselineReader::EndRead() {
  cursor_.Reset();  // its rows are those of this read transaction
  return read_.End(db_);
}

Result<std::unique_ptr<BaselineReader>> BaselineStore::OpenReader() const {
  if (path_.empty() || path_ == ":memory:" || path_.rfind("file:", 0) == 0) {
    return Status::FailedPrecondition("retention baseline " + path_ + ": in memory, no second connection");
  }
  auto db = sqlite::Database::Open(path_, sqlite::kReadOnly);
  if (!db.ok()) return db.status();
  std::unique_ptr<BaselineReader> r(new BaselineReader);
  r->db_ = std::move(*db);
  auto find = r->db_.Prepare(FindByKeySql());
  if (!find.ok()) return find.status();
  r->find_ = std::move(*find);
  VIGIL_RETURN_IF_ERROR(r->cursor_.Prepare(r->db_));
  VIGIL_RETURN_IF_ERROR(r->names_.Prepare(r->db_, false));
  return r;
}

Result<std::optional<BaselineRecord>> BaselineStore::Find(const FileKey& key) { return FindByKey(find_, names_, key); }

Result<bool> BaselineStore::Find(const FileKey& key, std::string_view path, BaselineRecord* out) {
  auto found = cursor_.Find(key, path, names_, find_, out);
  if (!read_.open() && !in_tx_) cursor_.Reset();  // not kept past its (implicit) transaction
  return found;
}

Result<std::optional<BaselineRecord>> BaselineStore::Find(const FileKey& key, std::string_view path) {
  return OptionalOf([&](BaselineRecord* out) { return Find(key, path, out); });
}

Status BaselineStore::Put(const BaselineRecord& r) {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  Status st = BindRow(put_, names_, r);
  if (st.ok()) st = put_.Run();
  put_.Reset();
  if (!st.ok()) {
    names_.Forget();  // a directory or label added by this transaction may be rolled back
    return st;
  }
  return Wrote();
}

Status BaselineStore::PutMany(std::span<const BaselineRecord> records) {
  size_t i = 0;
  if (records.size() >= static_cast<size_t>(kPutManyRows)) {
    VIGIL_RETURN_IF_ERROR(BeforeWrite());
    if (!put_many_) {
      auto s = db_.Prepare(PutSql(kPutManyRows));
      if (!s.ok()) return s.status();
      put_many_ = std::move(*s);
    }
    for (; i + kPutManyRows <= records.size(); i += kPutManyRows) {
      Status st;
      for (int r = 0; r < kPutManyRows && st.ok(); ++r) {
        st = BindRow(*put_many_, names_, records[i + r], r * kPutColumns);
      }
      if (st.ok()) st = put_many_->Run();
      put_many_->Reset();
      if (!st.ok()) {
        names_.Forget();  // as in Put
        return st;
      }
      VIGIL_RETURN_IF_ERROR(Wrote(kPutManyRows));
    }
  }
  for (; i < records.size(); ++i) VIGIL_RETURN_IF_ERROR(Put(records[i]));
  return Status::Ok();
}

Status BaselineStore::Remove(const FileKey& key) {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  remove_.Reset();
  remove_.Bind(1, static_cast<int64_t>(key.dev)).Bind(2, static_cast<int64_t>(key.ino)).Bind(3, key.birth_ns);
  VIGIL_RETURN_IF_ERROR(remove_.Run());
  remove_.Reset();
  return Wrote();
}

Result<int64_t> BaselineStore::PruneDirs() {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  // Through the table's order (dir, name, ...): one probe per directory row.
  VIGIL_RETURN_IF_ERROR(db_.Exec(
      "DELETE FROM retention_dirs WHERE NOT EXISTS"
      " (SELECT 1 FROM retention_baseline WHERE retention_baseline.dir = retention_dirs.id)"));
  const int64_t pruned = db_.Changes();
  // The cached last directory may be one of them: its next file gets a new id.
  names_.Forget();
  VIGIL_RETURN_IF_ERROR(Wrote());
  return pruned;
}

Result<int64_t> BaselineStore::PruneLabels(const std::vector<std::string>& current) {
  std::vector<int64_t> candidates;
  {
    auto q = db_.Prepare("SELECT id, label FROM retention_labels");
    if (!q.ok()) return q.status();
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const std::string label = q->Text(1);
      if (std::find(current.begin(), current.end(), label) == current.end()) candidates.push_back(q->Int(0));
    }
  }
  if (candidates.empty()) return int64_t{0};
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  auto del = db_.Prepare(
      "DELETE FROM retention_labels WHERE id = ?1"
      " AND NOT EXISTS (SELECT 1 FROM retention_baseline WHERE class = ?1)"
      " AND NOT EXISTS (SELECT 1 FROM retention_baseline WHERE clock = ?1)");
  if (!del.ok()) return del.status();
  int64_t pruned = 0;
  for (const int64_t id : candidates) {
    del->Reset();
    del->Bind(1, id);
    VIGIL_RETURN_IF_ERROR(del->Run());
    pruned += db_.Changes();
  }
  del->Reset();
  // The label cache may hold one of them: its next row adds it again, with a new id.
  names_.Forget();
  VIGIL_RETURN_IF_ERROR(Wrote());
  return pruned;
}

Status BaselineStore::Merge(const std::vector<std::pair<int64_t, std::string>>& dirs,
                            const std::function<bool(const BaselineRecord&)>& fn) {
  // Path order is not (directory, name) order ("/a/b/x" < "/a/b-c/y" < "/a/b/z" is not,
  // and a directory's files interleave with its subdirectories'): each directory's rows come
  // in name order from the path index, and the open directories are merged. A directory is
  // opened when no open one has a row before its path (every row below it sorts after it),
  // so at most one directory per level of the tree is open at once.
  struct Cursor {
    const std::string* dir;
    std::unique_ptr<sqlite::Statement> q;
    BaselineRecord head;
  };
  std::vector<Cursor> open;
  std::vector<std::unique_ptr<sqlite::Statement>> spare;
  auto advance = [&](Cursor& c) -> Result<bool> {
    auto row = c.q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return false;
    VIGIL_RETURN_IF_ERROR(ReadRow(*c.q, names_, c.dir, &c.head));
    return true;
  };
  auto before = [](const BaselineRecord& a, const BaselineRecord& b) {
    if (const int c = a.path.compare(b.path); c != 0) return c < 0;
    if (a.key.dev != b.key.dev) return static_cast<int64_t>(a.key.dev) < static_cast<int64_t>(b.key.dev);
    if (a.key.ino != b.key.ino) return static_cast<int64_t>(a.key.ino) < static_cast<int64_t>(b.key.ino);
    return a.key.birth_ns < b.key.birth_ns;
  };
  size_t next = 0;
  for (;;) {
    size_t min = open.size();
    for (size_t i = 0; i < open.size(); ++i) {
      if (min == open.size() || before(open[i].head, open[min].head)) min = i;
    }
    if (next < dirs.size() && (min == open.size() || dirs[next].second <= open[min].head.path)) {
      Cursor c{&dirs[next].second, nullptr, {}};
      if (!spare.empty()) {
        c.q = std::move(spare.back());
        spare.pop_back();
      } else {
        auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                             " FROM retention_baseline WHERE dir = ?1 ORDER BY name, dev, ino, birth_ns");
        if (!q.ok()) return q.status();
        c.q = std::make_unique<sqlite::Statement>(std::move(*q));
      }
      c.q->Reset();
      c.q->Bind(1, dirs[next].first);
      ++next;
      auto more = advance(c);
      if (!more.ok()) return more.status();
      if (*more) open.push_back(std::move(c));
      else spare.push_back(std::move(c.q));
      continue;
    }
    if (min == open.size()) break;
    if (!fn(open[min].head)) break;
    auto more = advance(open[min]);
    if (!more.ok()) return more.status();
    if (!*more) {
      open[min].q->Reset();
      spare.push_back(std::move(open[min].q));
      open.erase(open.begin() + static_cast<ptrdiff_t>(min));
    }
  }
  for (Cursor& c : open) c.q->Reset();
  return Status::Ok();
}

namespace {

Result<std::vector<std::pair<int64_t, std::string>>> DirsOf(sqlite::Statement& q) {
  std::vector<std::pair<int64_t, std::string>> dirs;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    dirs.emplace_back(q.Int(0), q.Text(1));
  }
  return dirs;
}

}  // namespace

Status BaselineStore::ForEach(const std::function<bool(const BaselineRecord&)>& fn) {
  auto q = db_.Prepare("SELECT id, path FROM retention_dirs ORDER BY path");
  if (!q.ok()) return q.status();
  auto dirs = DirsOf(*q);
  if (!dirs.ok()) return dirs.status();
  return Merge(*dirs, fn);
}

Status BaselineStore::ForEachUnder(const std::string& dir,
                                   const std::function<bool(const BaselineRecord&)>& fn) {
  if (dir == "/") return ForEach(fn);
  // The file `dir` itself (a root that is a file) sorts before everything below it.
  const auto [parent, name] = SplitDirName(dir);
  const std::string parent_dir(parent);
  if (!under_self_) {
    auto self = db_.Prepare(std::string("SELECT ") + kColumns +
                            " FROM retention_baseline WHERE dir = (SELECT id FROM retention_dirs WHERE path = ?1)"
                            " AND name = ?2 ORDER BY dev, ino, birth_ns");
    if (!self.ok()) return self.status();
    under_self_.emplace(std::move(*self));
  }
  under_self_->Reset();
  under_self_->Bind(1, parent).Bind(2, name);
  for (;;) {
    auto row = under_self_->Step();
    if (!row.ok()) {
      under_self_->Reset();
      return row.status();
    }
    if (!*row) break;
    BaselineRecord r;
    Status st = ReadRow(*under_self_, names_, &parent_dir, &r);
    if (!st.ok() || !fn(r)) {
      under_self_->Reset();
      return st;
    }
  }
  under_self_->Reset();
  // Below "/a/b": the directories from "/a/b/" up to (not including) "/a/b0" ('0' follows '/').
  if (!under_dirs_) {
    auto q = db_.Prepare("SELECT id, path FROM retention_dirs WHERE path >= ?1 AND path < ?2 ORDER BY path");
    if (!q.ok()) return q.status();
    under_dirs_.emplace(std::move(*q));
  }
  under_dirs_->Reset();
  under_dirs_->Bind(1, dir + "/").Bind(2, dir + "0");
  auto dirs = DirsOf(*under_dirs_);
  under_dirs_->Reset();
  if (!dirs.ok()) return dirs.status();
  return Merge(*dirs, fn);
}

Status BaselineStore::ReadInTableOrder(bool from_start, size_t max, std::vector<BaselineRecord>* out) {
  if (!in_order_) {
    auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                         " FROM retention_baseline WHERE (dir, name, dev, ino, birth_ns) > (?1, ?2, ?3, ?4, ?5)"
                         " ORDER BY dir, name, dev, ino, birth_ns LIMIT ?6");
    if (!q.ok()) return q.status();
    in_order_.emplace(std::move(*q));
  }
  if (from_start) {
    in_order_dir_ = -1;  // ids start at 1
    in_order_name_.clear();
    in_order_key_ = {};
  }
  sqlite::Statement& q = *in_order_;
  q.Reset();
  q.Bind(1, in_order_dir_)
      .Bind(2, std::string_view(in_order_name_))
      .Bind(3, static_cast<int64_t>(in_order_key_.dev))
      .Bind(4, static_cast<int64_t>(in_order_key_.ino))
      .Bind(5, in_order_key_.birth_ns)
      .Bind(6, static_cast<int64_t>(max));
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) {
      q.Reset();
      return row.status();
    }
    if (!*row) break;
    out->emplace_back();
    if (Status st = ReadRow(q, names_, nullptr, &out->back()); !st.ok()) {
      q.Reset();
      return st;
    }
    in_order_dir_ = q.Int(3);
    in_order_name_ = q.Text(4);
    in_order_key_ = out->back().key;
  }
  q.Reset();
  return Status::Ok();
}

Status BaselineStore::MarkAllPending() {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  VIGIL_RETURN_IF_ERROR(db_.Exec("UPDATE retention_baseline SET hash_pending = 2 WHERE hash_pending = 0"));
  return Wrote();
}

Result<int64_t> BaselineStore::Count() {
  auto q = db_.Prepare("SELECT COUNT(*) FROM retention_baseline");
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

Status BaselineStore::EndRead() {
  cursor_.Reset();  // its rows are those of this read (or write) transaction
  return read_.End(db_);
}

Status BaselineStore::BeginBulkLoad() {
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  VIGIL_RETURN_IF_ERROR(db_.Exec(std::string("DROP INDEX IF EXISTS ") + kKeyIndexName));
  // Checkpoints every 64 MiB of WAL instead of 4 MiB while loading: the pages of a run of
  // commits are copied into the database once, with one fsync, instead of every few commits
  // (the load's rows are not read back until its end). Durability is unchanged: the WAL is
  // synced as before; only more of it waits for its checkpoint.
  VIGIL_RETURN_IF_ERROR(db_.Exec("PRAGMA wal_autocheckpoint = 16384"));
  bulk_loading_ = true;
  return Wrote();
}

Status BaselineStore::BuildKeyIndex() {
  Status st = db_.Exec(kKeyIndex);
  if (st.ok()) return st;
  // Without the index a load does not replace by key: a file the walk met twice under two
  // paths (renamed while the walk went on) has two rows. The one at the greater (directory
  // id, name) is kept: ids grow as directories are first written, so mostly the later one,
  // as a replace would have kept. Any other failure fails again below.
  VIGIL_RETURN_IF_ERROR(db_.Exec(
      "CREATE INDEX IF NOT EXISTS retention_baseline_key_dups ON retention_baseline(dev, ino, birth_ns);"
      "DELETE FROM retention_baseline AS a WHERE EXISTS (SELECT 1 FROM retention_baseline AS b"
      "  WHERE b.dev = a.dev AND b.ino = a.ino AND b.birth_ns = a.birth_ns AND (b.dir, b.name) > (a.dir, a.name));"
      "DROP INDEX retention_baseline_key_dups;"));
  return db_.Exec(kKeyIndex);
}

Status BaselineStore::EndBulkLoad() {
  if (!bulk_loading_) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(BeforeWrite());
  VIGIL_RETURN_IF_ERROR(BuildKeyIndex());
  VIGIL_RETURN_IF_ERROR(db_.Exec("PRAGMA wal_autocheckpoint = 1000"));
  bulk_loading_ = false;
  return Wrote();
}

Status BaselineStore::Begin() {
  batching_ = true;
  return Status::Ok();
}

Status BaselineStore::Wrote(int rows) {
  if (batching_) pending_ += rows;
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
  Status st = db_.Exec("COMMIT");
  if (!st.ok()) names_.Forget();
  return st;
}

Status BaselineStore::Commit() {
  VIGIL_RETURN_IF_ERROR(EndRead());
  batching_ = false;
  if (!in_tx_) return Status::Ok();
  in_tx_ = false;
  Status st = db_.Exec("COMMIT");
  if (!st.ok()) names_.Forget();
  return st;
}

}  // namespace vigil::retention
