#include "baseline_schema.h"

#include <iterator>

namespace vigil::retention {
namespace {

// Schema 3: the row of a file keeps its directory and its class and clock as ids.
constexpr const char* kSchema3 =
    "CREATE TABLE retention_dirs (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL UNIQUE);"
    "CREATE TABLE retention_labels (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);"
    "CREATE TABLE retention_baseline ("
    "  dev INTEGER NOT NULL, ino INTEGER NOT NULL, birth_ns INTEGER NOT NULL,"
    "  dir INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    "  ctime_ns INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,"
    "  sha256 BLOB NOT NULL, first_seen INTEGER NOT NULL, changed_at INTEGER NOT NULL,"
    "  class INTEGER NOT NULL, clock INTEGER NOT NULL, reported INTEGER NOT NULL,"
    "  hash_pending INTEGER NOT NULL,"
    "  PRIMARY KEY (dev, ino, birth_ns)) WITHOUT ROWID;";

// After the copy of schema 2's rows: its table gives way to a view of the same name and
// columns, for the readers that query the baseline in SQL (reports, an operator's sqlite3).
constexpr const char* kFilesView =
    "CREATE VIEW retention_files AS SELECT f.dev AS dev, f.ino AS ino, f.birth_ns AS birth_ns,"
    "  d.path || f.name AS path, f.size AS size, f.mtime_ns AS mtime_ns, f.ctime_ns AS ctime_ns,"
    "  f.mode AS mode, f.uid AS uid, f.gid AS gid,"
    "  CASE WHEN typeof(f.sha256) = 'blob' THEN lower(hex(f.sha256)) ELSE f.sha256 END AS sha256,"
    "  f.first_seen AS first_seen, f.changed_at AS changed_at, c.label AS class, k.label AS clock,"
    "  f.reported AS reported, f.hash_pending AS hash_pending"
    "  FROM retention_baseline f JOIN retention_dirs d ON d.id = f.dir"
    "  JOIN retention_labels c ON c.id = f.class JOIN retention_labels k ON k.id = f.clock;";

// Schema 4: label ids are never reused either (AUTOINCREMENT, as for retention_dirs), so that
// unused labels can be pruned while other connections cache ids. The view names the table: it
// is dropped and made again around the swap.
constexpr const char* kSchema4 =
    "DROP VIEW retention_files;"
    "CREATE TABLE retention_labels4 (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE);"
    "INSERT INTO retention_labels4 (id, label) SELECT id, label FROM retention_labels ORDER BY id;"
    "DROP TABLE retention_labels;"
    "ALTER TABLE retention_labels4 RENAME TO retention_labels;";

// Schema 5: the table clustered by path (directory id, name; the key after them, since a
// delete-and-recreate briefly has two rows at one path), so that a first scan's rows, which
// come a directory at a time in name order with directory ids growing, are appended to the
// B-tree instead of landing at a random leaf; the lookup by key is a unique index on the
// integer key, which a bulk load builds once at its end. The view names the table: dropped
// and made again around the swap.
constexpr const char* kSchema5 =
    "DROP VIEW retention_files;"
    "CREATE TABLE retention_baseline5 ("
    "  dev INTEGER NOT NULL, ino INTEGER NOT NULL, birth_ns INTEGER NOT NULL,"
    "  dir INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    "  ctime_ns INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,"
    "  sha256 BLOB NOT NULL, first_seen INTEGER NOT NULL, changed_at INTEGER NOT NULL,"
    "  class INTEGER NOT NULL, clock INTEGER NOT NULL, reported INTEGER NOT NULL,"
    "  hash_pending INTEGER NOT NULL,"
    "  PRIMARY KEY (dir, name, dev, ino, birth_ns)) WITHOUT ROWID;"
    "INSERT INTO retention_baseline5 SELECT dev, ino, birth_ns, dir, name, size, mtime_ns, ctime_ns, mode,"
    "  uid, gid, sha256, first_seen, changed_at, class, clock, reported, hash_pending"
    "  FROM retention_baseline ORDER BY dir, name, dev, ino, birth_ns;"
    "DROP TABLE retention_baseline;"
    "ALTER TABLE retention_baseline5 RENAME TO retention_baseline;";

// Schema 3-4's path index, created by migration 3 (the table's own order from schema 5 on).
constexpr const char* kPathIndex =
    "CREATE INDEX IF NOT EXISTS retention_baseline_by_path ON retention_baseline(dir, name)";

// Schema 2 to 3: the rows copied (in key order, so appended) into the new table, whose path
// index is built after them, then the old table replaced by its view.
Status MigrateToSchema3(sqlite::Database& db) {
  VIGIL_RETURN_IF_ERROR(db.Exec(kSchema3));
  BaselineNames names;
  VIGIL_RETURN_IF_ERROR(names.Prepare(db, true));
  auto put = db.Prepare(PutSql(1));
  if (!put.ok()) return put.status();
  auto old = db.Prepare(
      "SELECT dev, ino, birth_ns, path, size, mtime_ns, ctime_ns, mode, uid, gid, sha256, first_seen,"
      " changed_at, class, clock, reported, hash_pending FROM retention_files ORDER BY dev, ino, birth_ns");
  if (!old.ok()) return old.status();
  for (;;) {
    auto row = old->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    BaselineRecord r;
    r.key.dev = static_cast<uint64_t>(old->Int(0));
    r.key.ino = static_cast<uint64_t>(old->Int(1));
    r.key.birth_ns = old->Int(2);
    r.path = old->Text(3);
    r.size = old->Int(4);
    r.mtime_ns = old->Int(5);
    r.ctime_ns = old->Int(6);
    r.mode = static_cast<uint32_t>(old->Int(7));
    r.uid = static_cast<uint32_t>(old->Int(8));
    r.gid = static_cast<uint32_t>(old->Int(9));
    r.sha256 = old->Text(10);
    r.first_seen = old->Int(11);
    r.changed_at = old->Int(12);
    r.class_id = old->Text(13);
    r.clock = old->Text(14);
    r.reported = static_cast<uint32_t>(old->Int(15));
    r.hash_pending = static_cast<HashPending>(old->Int(16));
    VIGIL_RETURN_IF_ERROR(BindRow(*put, names, r));
    // hash_pending as stored (an unknown value stays what it was)
    put->Bind(18, old->Int(16));
    VIGIL_RETURN_IF_ERROR(put->Run());
    put->Reset();
  }
  old->Reset();
  VIGIL_RETURN_IF_ERROR(db.Exec(kPathIndex));
  VIGIL_RETURN_IF_ERROR(db.Exec("DROP TABLE retention_files"));
  return db.Exec(kFilesView);
}

Status MigrateToSchema4(sqlite::Database& db) {
  VIGIL_RETURN_IF_ERROR(db.Exec(kSchema4));
  return db.Exec(kFilesView);
}

Status MigrateToSchema5(sqlite::Database& db) {
  VIGIL_RETURN_IF_ERROR(db.Exec(kSchema5));  // schema 4's path index goes with its table
  VIGIL_RETURN_IF_ERROR(db.Exec(kKeyIndex));
  return db.Exec(kFilesView);
}

struct TableMigration {
  int version;
  const char* sql;
  Status (*run)(sqlite::Database&);  // after sql, when set
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
     "CREATE TABLE retention_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);",
     nullptr},
    // The hash phase: rows whose content hash is still to be computed (1: content unknown,
    // 2: a full re-hash to verify). No index: a scan finds them as it looks each file up.
    {2, "ALTER TABLE retention_files ADD COLUMN hash_pending INTEGER NOT NULL DEFAULT 0;", nullptr},
    // A smaller row: directory, class and clock as ids, the SHA-256 as 32 bytes.
    {3, "", &MigrateToSchema3},
    // Label ids never reused (AUTOINCREMENT): unused labels can be pruned (PruneLabels).
    {4, "", &MigrateToSchema4},
    // Clustered by path, the key a unique index (a bulk load appends, then indexes once).
    {5, "", &MigrateToSchema5},
};

}  // namespace

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
    if (*m.sql != '\0') VIGIL_RETURN_IF_ERROR(db.Exec(m.sql));
    if (m.run != nullptr) VIGIL_RETURN_IF_ERROR(m.run(db));
    VIGIL_RETURN_IF_ERROR(db.Exec("DELETE FROM retention_schema; INSERT INTO retention_schema VALUES (" +
                                  std::to_string(m.version) + ")"));
    VIGIL_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace vigil::retention
