// BaselineStore's schema 3: rows that keep their directory, class and clock as ids and the
// SHA-256 as 32 bytes read back as they were written; path order (ForEach, ForEachUnder) is
// the byte order of the full path, as it was with schema 2's path column; a schema 2 baseline
// is migrated with every row and the scan state, and its table's columns stay readable in SQL
// (the `retention_files` view).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "baseline_store.h"
#include "baseline_test_rows.h"
#include "support/test_support.h"
#include "vigil/sqlite.h"

namespace vigil::retention {
namespace {

using testing::TempDir;

BaselineRecord Row(uint64_t ino, std::string path) { return SampleRow(ino, std::move(path)); }

void ExpectSame(const BaselineRecord& a, const BaselineRecord& b) { ExpectSameRow(a, b); }

using Order = std::vector<std::tuple<std::string, uint64_t>>;

Order Sorted(std::vector<BaselineRecord> rows) {
  std::sort(rows.begin(), rows.end(), [](const BaselineRecord& a, const BaselineRecord& b) {
    return std::tie(a.path, a.key.ino) < std::tie(b.path, b.key.ino);
  });
  Order out;
  for (const BaselineRecord& r : rows) out.emplace_back(r.path, r.key.ino);
  return out;
}

// Every row of the store as ForEach gives them, in its (path) order.
Order InPathOrder(BaselineStore& store) {
  Order all;
  const Status st = store.ForEach([&](const BaselineRecord& r) {
    all.emplace_back(r.path, r.key.ino);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return all;
}

TEST(BaselineStore, RowsReadBackAsWritten) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<BaselineRecord> rows = {Row(1, "/srv/a/one"), Row(2, "/srv/a/two"), Row(3, "/srv/b/three"),
                                      Row(4, "relative"), Row(5, "/top")};
  rows[1].sha256.clear();  // not hashed yet
  rows[1].hash_pending = HashPending::kContent;
  rows[1].class_id.clear();  // no class
  rows[1].clock = "first_seen";
  rows[2].sha256 = "not a hash";  // kept as it is
  rows[2].clock = "event";
  rows[2].hash_pending = HashPending::kVerify;
  rows[3].sha256 = std::string(kSampleHash).substr(0, 63) + "G";
  rows[4].class_id = "ledger";
  for (const BaselineRecord& r : rows) {
    const Status st = (*store)->Put(r);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  for (const BaselineRecord& r : rows) {
    auto found = (*store)->Find(r.key);
    ASSERT_TRUE(found.ok() && found->has_value()) << r.path;
    ExpectSame(**found, r);
  }
  // Another connection, with its own ids cache.
  auto reader = (*store)->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (size_t i = rows.size(); i-- > 0;) {
    auto found = (*reader)->Find(rows[i].key);
    ASSERT_TRUE(found.ok() && found->has_value()) << rows[i].path;
    ExpectSame(**found, rows[i]);
  }
  // Replaced in place: a rename into another directory.
  BaselineRecord moved = rows[0];
  moved.path = "/srv/c/one";
  ASSERT_TRUE((*store)->Put(moved).ok());
  auto found = (*reader)->Find(moved.key);
  ASSERT_TRUE(found.ok() && found->has_value());
  ExpectSame(**found, moved);
  auto count = (*store)->Count();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 5);
  // The SQL view keeps schema 2's columns.
  auto db = sqlite::Database::Open(path, sqlite::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto q = db->Prepare("SELECT path, sha256, class, clock FROM retention_files WHERE ino = 1");
  ASSERT_TRUE(q.ok());
  auto row = q->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(q->Text(0), "/srv/c/one");
  EXPECT_EQ(q->Text(1), kSampleHash);
  EXPECT_EQ(q->Text(2), "records");
  EXPECT_EQ(q->Text(3), "birth");
}

// PutMany writes what Put would, row by row in order: over several statements' worth of rows
// and a remainder, with new directories and labels in the middle of a statement, every kind of
// hash, a key met twice in one statement (the later row replaces the earlier, as two Puts
// would) and an existing row replaced; a bulk load's rows the same.
TEST(BaselineStore, PutManyWritesWhatPutWould) {
  for (const bool bulk : {false, true}) {
    SCOPED_TRACE(bulk ? "bulk load" : "batched");
    TempDir dir;
    auto many = BaselineStore::Open(dir.path() + "/many.db");
    auto one = BaselineStore::Open(dir.path() + "/one.db");
    ASSERT_TRUE(many.ok() && one.ok());
    std::vector<BaselineRecord> rows;
    const int n = BaselineStore::kPutManyRows * 3 + 5;
    for (int i = 0; i < n; ++i) {
      BaselineRecord r = Row(static_cast<uint64_t>(100 + i), "/srv/d" + std::to_string(i / 7) + "/f" + std::to_string(i));
      if (i % 5 == 1) r.sha256.clear(), r.hash_pending = HashPending::kContent;
      if (i % 5 == 2) r.sha256 = "not a hash";
      if (i % 11 == 3) r.class_id = "ledger" + std::to_string(i);  // a new label mid-statement
      if (i % 13 == 4) r.clock = "first_seen";
      rows.push_back(std::move(r));
    }
    rows[40] = rows[10];  // the same key again, later, at another path: it replaces row 10
    rows[40].path = "/srv/elsewhere/f10";
    rows[40].size = 4242;
    for (auto* s : {&*many, &*one}) {
      ASSERT_TRUE((*s)->Begin().ok());
      if (bulk) {
        ASSERT_TRUE((*s)->BeginBulkLoad().ok());
      } else {
        ASSERT_TRUE((*s)->Put(Row(110, "/srv/old/f10")).ok());  // replaced below
      }
    }
    ASSERT_TRUE((*many)->PutMany(rows).ok());
    for (const BaselineRecord& r : rows) ASSERT_TRUE((*one)->Put(r).ok());
    for (auto* s : {&*many, &*one}) {
      if (bulk) {
        ASSERT_TRUE((*s)->EndBulkLoad().ok());
      }
      ASSERT_TRUE((*s)->Commit().ok());
    }
    EXPECT_EQ(InPathOrder(**many), InPathOrder(**one));
    auto count = (*many)->Count();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, n - 1);
    for (int i = 0; i < n; ++i) {
      if (i == 10) continue;  // replaced by row 40
      auto found = (*many)->Find(rows[static_cast<size_t>(i)].key);
      ASSERT_TRUE(found.ok() && found->has_value()) << rows[static_cast<size_t>(i)].path;
      ExpectSame(**found, rows[static_cast<size_t>(i)]);
    }
  }
}

// The rows of `table` in the baseline at `path` that `where` selects; -1 on an error.
int64_t CountRows(const std::string& path, const std::string& table, const std::string& where) {
  auto db = sqlite::Database::Open(path, sqlite::kReadOnly);
  if (!db.ok()) return -1;
  auto q = db->Prepare("SELECT COUNT(*) FROM " + table + " WHERE " + where);
  if (!q.ok()) return -1;
  auto row = q->Step();
  return row.ok() && *row ? q->Int(0) : -1;
}

int64_t DirRows(const std::string& path, const std::string& where = "1") {
  return CountRows(path, "retention_dirs", where);
}

// A directory whose files are all gone loses its row; its id is not given to the next new
// directory, so a reader that still caches it cannot misname a row; the store's own cache of
// its last directory does not outlive the prune.
TEST(BaselineStore, DirectoriesWithoutFilesArePrunedAndTheirIdsNotReused) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const BaselineRecord kept = Row(1, "/srv/kept/a");
  const BaselineRecord gone1 = Row(2, "/srv/gone/b");
  const BaselineRecord gone2 = Row(3, "/srv/gone/c");
  for (const BaselineRecord& r : {kept, gone1, gone2}) ASSERT_TRUE((*store)->Put(r).ok());
  auto reader = (*store)->OpenReader();
  ASSERT_TRUE(reader.ok());
  auto seen = (*reader)->Find(gone2.key);  // the reader caches /srv/gone/'s id
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ(DirRows(path), 2);

  auto none = (*store)->PruneDirs();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, 0);
  ASSERT_TRUE((*store)->Remove(gone1.key).ok());
  ASSERT_TRUE((*store)->Remove(gone2.key).ok());
  auto pruned = (*store)->PruneDirs();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(DirRows(path, "path = '/srv/gone/'"), 0);
  EXPECT_EQ(DirRows(path), 1);

  // /srv/gone/ was the store's last directory: a file put there again gets a new row.
  const BaselineRecord back = Row(4, "/srv/gone/d");
  const BaselineRecord fresh = Row(5, "/srv/new/e");
  for (const BaselineRecord& r : {back, fresh}) ASSERT_TRUE((*store)->Put(r).ok());
  for (const BaselineRecord& r : {kept, back, fresh}) {
    auto found = (*store)->Find(r.key);
    ASSERT_TRUE(found.ok() && found->has_value()) << r.path;
    ExpectSame(**found, r);
    auto read = (*reader)->Find(r.key);
    ASSERT_TRUE(read.ok() && read->has_value()) << r.path;
    ExpectSame(**read, r);
  }
  EXPECT_EQ(InPathOrder(**store), (Order{{"/srv/gone/d", 4}, {"/srv/kept/a", 1}, {"/srv/new/e", 5}}));
  EXPECT_EQ(DirRows(path), 3);
  EXPECT_EQ(DirRows(path, "path = '/srv/gone/' AND id > 2"), 1);  // not its old id 2 again
}

int64_t LabelRows(const std::string& path, const std::string& where = "1") {
  return CountRows(path, "retention_labels", where);
}

// A label (class or clock) that is not in the policy in force and that no row has any more
// loses its row; one still on a row stays, as do the policy's own; a removed label's id (the
// highest here) is not given again, and a reader that cached it still reads its old rows
// right until they are gone; the store's cache does not outlive the prune.
TEST(BaselineStore, LabelsNoRowHasArePrunedAndTheirIdsNotReused) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  BaselineRecord kept = Row(1, "/srv/a/kept");      // records, birth
  BaselineRecord moved = Row(2, "/srv/a/moved");    // legacy, mtime: then records, birth
  BaselineRecord gone = Row(3, "/srv/a/gone");      // dropped, mtime: then deleted
  moved.class_id = "legacy";
  moved.clock = "mtime";
  gone.class_id = "dropped";
  gone.clock = "mtime";
  for (const BaselineRecord& r : {kept, moved, gone}) ASSERT_TRUE((*store)->Put(r).ok());
  EXPECT_EQ(LabelRows(path), 5);  // records, birth, legacy, mtime, dropped
  auto reader = (*store)->OpenReader();
  ASSERT_TRUE(reader.ok());
  auto seen = (*reader)->Find(gone.key);  // the reader caches "dropped"
  ASSERT_TRUE(seen.ok() && seen->has_value());

  // Every label still on a row: none pruned, whatever the policy.
  auto none = (*store)->PruneLabels({"records"});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, 0);

  moved.class_id = "records";
  moved.clock = "birth";
  ASSERT_TRUE((*store)->Put(moved).ok());
  ASSERT_TRUE((*store)->Remove(gone.key).ok());
  // "mtime" is a label the policy can give: kept although no row has it now.
  auto pruned = (*store)->PruneLabels({"", "records", "birth", "mtime"});
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 2);  // legacy, dropped
  EXPECT_EQ(LabelRows(path, "label IN ('legacy', 'dropped')"), 0);
  EXPECT_EQ(LabelRows(path), 3);

  // "dropped" had the highest id (5): a label added now gets a new one, as does "dropped"
  // again, which the store's cache no longer maps to its old id.
  BaselineRecord fresh = Row(4, "/srv/a/fresh");
  fresh.class_id = "fresh";
  BaselineRecord back = Row(5, "/srv/a/back");
  back.class_id = "dropped";
  for (const BaselineRecord& r : {fresh, back}) ASSERT_TRUE((*store)->Put(r).ok());
  EXPECT_EQ(LabelRows(path, "label = 'fresh' AND id > 5"), 1);
  EXPECT_EQ(LabelRows(path, "label = 'dropped' AND id > 5"), 1);
  for (const BaselineRecord& r : {kept, moved, fresh, back}) {
    auto found = (*store)->Find(r.key);
    ASSERT_TRUE(found.ok() && found->has_value()) << r.path;
    ExpectSame(**found, r);
    auto read = (*reader)->Find(r.key);
    ASSERT_TRUE(read.ok() && read->has_value()) << r.path;
    ExpectSame(**read, r);
  }
}

// ForEachUnder keeps its statements from one call to the next: calls in a row, one stopped
// early by its callback, each give their own rows.
TEST(BaselineStore, ForEachUnderAgainAndAgain) {
  TempDir dir;
  auto store = BaselineStore::Open(dir.path() + "/baseline.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const BaselineRecord& r : {Row(1, "/srv/a/x"), Row(2, "/srv/a/y"), Row(3, "/srv/b"), Row(4, "/srv/b/z")}) {
    ASSERT_TRUE((*store)->Put(r).ok());
  }
  auto under = [&](const std::string& root, size_t stop_after) {
    std::vector<std::string> paths;
    const Status st = (*store)->ForEachUnder(root, [&](const BaselineRecord& r) {
      paths.push_back(r.path);
      return paths.size() < stop_after;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return paths;
  };
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(under("/srv/a", 1), (std::vector<std::string>{"/srv/a/x"}));
    EXPECT_EQ(under("/srv/b", 1), (std::vector<std::string>{"/srv/b"}));  // stopped on the file itself
    EXPECT_EQ(under("/srv/b", 9), (std::vector<std::string>{"/srv/b", "/srv/b/z"}));
    EXPECT_EQ(under("/srv/a", 9), (std::vector<std::string>{"/srv/a/x", "/srv/a/y"}));
    EXPECT_EQ(under("/srv/c", 9), (std::vector<std::string>{}));
  }
}

// Byte order of the whole path, although rows are stored by directory: a directory's files
// interleave with its subdirectories' ("/a/b/sub/y" before "/a/b/x"), and "/a/b-c/" and
// "/a/b.c" sort before "/a/b/" ('-' and '.' come before '/').
TEST(BaselineStore, PathOrderIsTheByteOrderOfTheFullPath) {
  TempDir dir;
  auto store = BaselineStore::Open(dir.path() + "/baseline.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::vector<std::string> paths = {
      "/a/b/x",  "/a/b-c/y",       "/a/b/z",    "/a/b/sub/y", "/a/b.c",   "/a/b",    "/a/b/sub/deep/q",
      "/a/b/ s", "/a/b0/w",        "/a/b/sub-x", "/x",        "rel",      "/a/\xc3\xa9/u", "/a/b/sub/a",
      "/a/b/x",  "/a/b/sub/deep0", "/",         "/a/b/sub/deep/r"};
  std::vector<BaselineRecord> rows;
  for (size_t i = 0; i < paths.size(); ++i) rows.push_back(Row(100 + (i * 7919) % 101, paths[i]));
  ASSERT_TRUE((*store)->Begin().ok());
  for (const BaselineRecord& r : rows) {
    const Status st = (*store)->Put(r);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE((*store)->Commit().ok());

  EXPECT_EQ(InPathOrder(**store), Sorted(rows));

  for (const std::string under : {"/a/b", "/a/b/sub", "/a", "/a/b/sub/deep", "/nothing", "/x"}) {
    std::vector<BaselineRecord> expected;
    for (const BaselineRecord& r : rows) {
      if (r.path == under || r.path.rfind(under + "/", 0) == 0) expected.push_back(r);
    }
    Order got;
    ASSERT_TRUE((*store)->ForEachUnder(under, [&](const BaselineRecord& r) {
      got.emplace_back(r.path, r.key.ino);
      return true;
    }).ok());
    EXPECT_EQ(got, Sorted(expected)) << under;
  }

  size_t calls = 0;
  ASSERT_TRUE((*store)->ForEach([&](const BaselineRecord&) { return ++calls < 3; }).ok());
  EXPECT_EQ(calls, 3u);
}

// A baseline written by schema 2 (full paths, class and clock as text, the hash in hex):
// every row, the scan state and the pending marks are carried into schema 3.
TEST(BaselineStore, MigratesASchema2Baseline) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  std::vector<BaselineRecord> rows = {Row(3, "/srv/a/one"), Row(1, "/srv/a/sub/two"), Row(2, "/srv/a-b/three"),
                                      Row(9, "/srv/four")};
  rows[1].sha256.clear();
  rows[1].hash_pending = HashPending::kContent;
  rows[1].clock = "mtime";
  rows[2].hash_pending = HashPending::kVerify;
  rows[2].class_id.clear();
  {
    auto db = sqlite::Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE alerts (id INTEGER PRIMARY KEY, body TEXT);"  // another owner's
                         "INSERT INTO alerts (body) VALUES ('kept');"
                         "CREATE TABLE retention_schema (version INTEGER NOT NULL);"
                         "INSERT INTO retention_schema VALUES (2);"
                         "CREATE TABLE retention_files ("
                         "  dev INTEGER NOT NULL, ino INTEGER NOT NULL, birth_ns INTEGER NOT NULL,"
                         "  path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
                         "  ctime_ns INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL,"
                         "  gid INTEGER NOT NULL, sha256 TEXT NOT NULL, first_seen INTEGER NOT NULL,"
                         "  changed_at INTEGER NOT NULL, class TEXT NOT NULL, clock TEXT NOT NULL,"
                         "  reported INTEGER NOT NULL DEFAULT 0,"
                         "  PRIMARY KEY (dev, ino, birth_ns)) WITHOUT ROWID;"
                         "CREATE INDEX retention_files_by_path ON retention_files(path);"
                         "CREATE TABLE retention_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                         "ALTER TABLE retention_files ADD COLUMN hash_pending INTEGER NOT NULL DEFAULT 0;"
                         "INSERT INTO retention_state VALUES ('scans_completed', 4);")
                    .ok());
    auto ins = db->Prepare(
        "INSERT INTO retention_files VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17)");
    ASSERT_TRUE(ins.ok());
    for (const BaselineRecord& r : rows) {
      ins->Reset();
      ins->Bind(1, static_cast<int64_t>(r.key.dev))
          .Bind(2, static_cast<int64_t>(r.key.ino))
          .Bind(3, r.key.birth_ns)
          .Bind(4, r.path)
          .Bind(5, r.size)
          .Bind(6, r.mtime_ns)
          .Bind(7, r.ctime_ns)
          .Bind(8, static_cast<int64_t>(r.mode))
          .Bind(9, static_cast<int64_t>(r.uid))
          .Bind(10, static_cast<int64_t>(r.gid))
          .Bind(11, r.sha256)
          .Bind(12, r.first_seen)
          .Bind(13, r.changed_at)
          .Bind(14, r.class_id)
          .Bind(15, r.clock)
          .Bind(16, static_cast<int64_t>(r.reported))
          .Bind(17, static_cast<int64_t>(r.hash_pending));
      ASSERT_TRUE(ins->Run().ok());
    }
  }
  for (int open = 0; open < 2; ++open) {  // migrated once; the second open finds schema 5
    auto store = BaselineStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (const BaselineRecord& r : rows) {
      auto found = (*store)->Find(r.key);
      ASSERT_TRUE(found.ok() && found->has_value()) << r.path;
      ExpectSame(**found, r);
    }
    EXPECT_EQ(InPathOrder(**store), Sorted(rows));
    auto scans = (*store)->GetState("scans_completed");
    ASSERT_TRUE(scans.ok() && scans->has_value());
    EXPECT_EQ(**scans, 4);
  }
  auto db = sqlite::Database::Open(path, sqlite::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto q = db->Prepare(
      "SELECT (SELECT version FROM retention_schema), (SELECT body FROM alerts),"
      " (SELECT type FROM sqlite_master WHERE name = 'retention_files'),"
      " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'retention_files_by_path'),"
      " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'retention_baseline_by_path'),"
      " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'retention_baseline_by_key'),"
      " (SELECT group_concat(path || ':' || sha256 || ':' || class || ':' || clock, ',') FROM"
      "  (SELECT * FROM retention_files ORDER BY ino))");
  ASSERT_TRUE(q.ok());
  auto row = q->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(q->Int(0), 5);
  EXPECT_EQ(q->Text(1), "kept");
  EXPECT_EQ(q->Text(2), "view");
  EXPECT_EQ(q->Int(3), 0);
  EXPECT_EQ(q->Int(4), 0);  // schema 5: the table's own order
  EXPECT_EQ(q->Int(5), 1);
  EXPECT_EQ(q->Text(6), std::string("/srv/a/sub/two::records:mtime,/srv/a-b/three:") + kSampleHash +
                            "::birth,/srv/a/one:" + kSampleHash + ":records:birth,/srv/four:" + kSampleHash + ":records:birth");
}

// A schema 4 baseline (clustered by key, a path index on (dir, name)): migrated to schema 5
// with every row, id, state and pending mark; the view shows the same columns; a rename
// replaces the row by key, and a delete-and-recreate at one path keeps both rows until the
// old one is removed.
TEST(BaselineStore, MigratesASchema4Baseline) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  {
    auto db = sqlite::Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(
                      "CREATE TABLE retention_schema (version INTEGER NOT NULL);"
                      "INSERT INTO retention_schema VALUES (4);"
                      "CREATE TABLE retention_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                      "INSERT INTO retention_state VALUES ('scans_completed', 2);"
                      "CREATE TABLE retention_dirs (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL UNIQUE);"
                      "CREATE TABLE retention_labels (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE);"
                      "CREATE TABLE retention_baseline ("
                      "  dev INTEGER NOT NULL, ino INTEGER NOT NULL, birth_ns INTEGER NOT NULL,"
                      "  dir INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
                      "  ctime_ns INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,"
                      "  sha256 BLOB NOT NULL, first_seen INTEGER NOT NULL, changed_at INTEGER NOT NULL,"
                      "  class INTEGER NOT NULL, clock INTEGER NOT NULL, reported INTEGER NOT NULL,"
                      "  hash_pending INTEGER NOT NULL,"
                      "  PRIMARY KEY (dev, ino, birth_ns)) WITHOUT ROWID;"
                      "CREATE INDEX retention_baseline_by_path ON retention_baseline(dir, name);"
                      "CREATE VIEW retention_files AS SELECT f.dev AS dev, f.ino AS ino, f.birth_ns AS birth_ns,"
                      "  d.path || f.name AS path, f.size AS size, f.mtime_ns AS mtime_ns, f.ctime_ns AS ctime_ns,"
                      "  f.mode AS mode, f.uid AS uid, f.gid AS gid,"
                      "  CASE WHEN typeof(f.sha256) = 'blob' THEN lower(hex(f.sha256)) ELSE f.sha256 END AS sha256,"
                      "  f.first_seen AS first_seen, f.changed_at AS changed_at, c.label AS class, k.label AS clock,"
                      "  f.reported AS reported, f.hash_pending AS hash_pending"
                      "  FROM retention_baseline f JOIN retention_dirs d ON d.id = f.dir"
                      "  JOIN retention_labels c ON c.id = f.class JOIN retention_labels k ON k.id = f.clock;"
                      // ids with gaps (pruned), rows out of path order in key order
                      "INSERT INTO retention_dirs (id, path) VALUES (3, '/srv/b/'), (5, '/srv/a/');"
                      "INSERT INTO retention_labels (id, label) VALUES (2, 'records'), (4, 'birth'), (6, '');"
                      "INSERT INTO retention_baseline VALUES"
                      "  (7, 1, 11, 3, 'z', 10, 100, 200, 33188, 1, 2, x'00ff', 50, 60, 2, 4, 1, 0),"
                      "  (7, 2, 12, 5, 'y', 20, 101, 201, 33188, 1, 2, '', 51, 0, 6, 4, 0, 1),"
                      "  (7, 3, 13, 5, 'x', 30, 102, 202, 33188, 1, 2, x'10', 52, 0, 2, 4, 4, 2);")
                    .ok());
  }
  const std::string want =
      "/srv/a/x|30|10|records|birth|4|2,/srv/a/y|20|||birth|0|1,/srv/b/z|10|00ff|records|birth|1|0";
  auto view = [&]() {
    auto db = sqlite::Database::Open(path, sqlite::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto q = db->Prepare(
        "SELECT group_concat(path || '|' || size || '|' || sha256 || '|' || class || '|' || clock || '|' ||"
        " reported || '|' || hash_pending, ','), (SELECT version FROM retention_schema),"
        " (SELECT COUNT(*) FROM sqlite_master WHERE name = 'retention_baseline_by_key')"
        " FROM (SELECT * FROM retention_files ORDER BY path)");
    EXPECT_TRUE(q.ok());
    auto row = q->Step();
    EXPECT_TRUE(row.ok() && *row);
    return q->Text(0) + "/" + std::to_string(q->Int(1)) + "/" + std::to_string(q->Int(2));
  };
  for (int open = 0; open < 2; ++open) {  // migrated once
    auto store = BaselineStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(view(), want + "/5/1");
    auto found = (*store)->Find({7, 3, 13});
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ((*found)->path, "/srv/a/x");
    EXPECT_EQ((*found)->sha256, "10");
    EXPECT_EQ((*found)->hash_pending, HashPending::kVerify);
    EXPECT_EQ(InPathOrder(**store), (Order{{"/srv/a/x", 3}, {"/srv/a/y", 2}, {"/srv/b/z", 1}}));
    auto scans = (*store)->GetState("scans_completed");
    ASSERT_TRUE(scans.ok() && scans->has_value());
    EXPECT_EQ(**scans, 2);
  }
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok());
  // A rename: the row of the same key replaced.
  BaselineRecord moved = Row(1, "/srv/c/moved");
  moved.key = {7, 1, 11};
  ASSERT_TRUE((*store)->Put(moved).ok());
  // A file recreated at /srv/a/x (a new key): both rows until the old one is removed.
  ASSERT_TRUE((*store)->Put(Row(40, "/srv/a/x")).ok());
  EXPECT_EQ(InPathOrder(**store), (Order{{"/srv/a/x", 3}, {"/srv/a/x", 40}, {"/srv/a/y", 2}, {"/srv/c/moved", 1}}));
  ASSERT_TRUE((*store)->Remove({7, 3, 13}).ok());
  EXPECT_EQ(InPathOrder(**store), (Order{{"/srv/a/x", 40}, {"/srv/a/y", 2}, {"/srv/c/moved", 1}}));
  auto count = (*store)->Count();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

// Without its key index a bulk load cannot replace by key: a file met twice under two paths
// (renamed while the walk went on) is cut to one row when the index is built at the end, the
// one at the greater (directory id, name); the other rows are untouched.
TEST(BaselineStore, ABulkLoadKeepsOneRowOfAKeyMetTwice) {
  TempDir dir;
  auto store = BaselineStore::Open(dir.path() + "/baseline.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Begin().ok());
  ASSERT_TRUE((*store)->BeginBulkLoad().ok());
  ASSERT_TRUE((*store)->Put(Row(1, "/srv/a/one")).ok());
  ASSERT_TRUE((*store)->Put(Row(2, "/srv/a/two")).ok());
  ASSERT_TRUE((*store)->Put(Row(1, "/srv/b/one-renamed")).ok());  // same key, later directory
  ASSERT_TRUE((*store)->Put(Row(3, "/srv/b/three")).ok());
  ASSERT_TRUE((*store)->Put(Row(3, "/srv/b/three")).ok());  // the same row again: replaced
  ASSERT_TRUE((*store)->EndBulkLoad().ok());
  ASSERT_TRUE((*store)->Commit().ok());
  EXPECT_EQ(InPathOrder(**store), (Order{{"/srv/a/two", 2}, {"/srv/b/one-renamed", 1}, {"/srv/b/three", 3}}));
  auto one = (*store)->Find(Row(1, "").key);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->path, "/srv/b/one-renamed");
  // The index is unique again: a rename replaces by key.
  ASSERT_TRUE((*store)->Put(Row(2, "/srv/c/two")).ok());
  EXPECT_EQ(InPathOrder(**store), (Order{{"/srv/b/one-renamed", 1}, {"/srv/b/three", 3}, {"/srv/c/two", 2}}));
}

// A lookup at a path gives what the lookup by key gives: the row when it is at that path, the
// row at its other path when the file moved, nothing for a key not in the baseline (another
// file at a known path included); through the store and through a reader.
TEST(BaselineStore, ALookupAtAPathGivesTheKeysRow) {
  TempDir dir;
  const std::string path = dir.path() + "/baseline.db";
  auto store = BaselineStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::vector<BaselineRecord> rows = {Row(1, "/srv/a/one"), Row(2, "/srv/a/two"), Row(3, "/srv/b/three")};
  for (const BaselineRecord& r : rows) ASSERT_TRUE((*store)->Put(r).ok());
  auto reader = (*store)->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  struct Probe {
    FileKey key;
    std::string at;
    std::string want;  // empty: not found
  };
  const std::vector<Probe> probes = {
      {rows[0].key, "/srv/a/one", "/srv/a/one"},      // where it was
      {rows[1].key, "/srv/b/two", "/srv/a/two"},      // moved: found by key
      {rows[2].key, "/srv/c/three", "/srv/b/three"},  // a directory not in the baseline
      {Row(9, "").key, "/srv/a/one", ""},             // another file at a known path
      {Row(9, "").key, "/srv/z/new", ""},
      {rows[2].key, "/srv/b/three", "/srv/b/three"},  // the cached directory changes back
      {rows[0].key, "one", "/srv/a/one"},              // a path without a directory
  };
  for (const Probe& p : probes) {
    for (int via = 0; via < 2; ++via) {
      auto found = via == 0 ? (*store)->Find(p.key, p.at) : (*reader)->Find(p.key, p.at);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      auto by_key = (*store)->Find(p.key);
      ASSERT_TRUE(by_key.ok());
      EXPECT_EQ(found->has_value(), by_key->has_value()) << p.at;
      if (p.want.empty()) {
        EXPECT_FALSE(found->has_value()) << p.at;
        continue;
      }
      ASSERT_TRUE(found->has_value()) << p.at;
      EXPECT_EQ((*found)->path, p.want);
      ExpectSame(**found, **by_key);
    }
  }
}

}  // namespace
}  // namespace vigil::retention
