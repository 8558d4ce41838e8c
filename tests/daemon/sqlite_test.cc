// Tests of the SQLite layer: open, migrations (forward, idempotent, refusing newer files),
// statements, transactions, and the errors a user would see.
#include "vigil/sqlite.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil::sqlite {
namespace {

constexpr std::array<Migration, 2> kMigrations = {{
    {1, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL);"},
    {2, "ALTER TABLE t ADD COLUMN note TEXT; CREATE INDEX t_name ON t(name);"},
}};

TEST(SqliteTest, MigratesInsertsAndReadsBack) {
  vigil::testing::TempDir dir;
  const std::string path = dir.path() + "/x.db";
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(db->Migrate(kMigrations).ok());
  EXPECT_EQ(*db->UserVersion(), 2);

  auto ins = db->Prepare("INSERT INTO t (name, score, note) VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(ins.ok());
  ins->Bind(1, "alice").Bind(2, 1.5).Bind(3, nullptr);
  ASSERT_TRUE(ins->Run().ok());
  EXPECT_EQ(db->LastInsertRowId(), 1);
  ins->Reset();
  ins->Bind(1, std::string("bob\0zed", 7)).Bind(2, 2.0).Bind(3, "n");
  ASSERT_TRUE(ins->Run().ok());

  auto sel = db->Prepare("SELECT id, name, score, note FROM t ORDER BY id");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Int(0), 1);
  EXPECT_EQ(sel->Text(1), "alice");
  EXPECT_DOUBLE_EQ(sel->Double(2), 1.5);
  EXPECT_TRUE(sel->IsNull(3));
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Text(1), std::string("bob\0zed", 7));  // embedded NUL survives
  EXPECT_FALSE(*sel->Step());

  // Reopening runs no migration twice.
  db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Migrate(kMigrations).ok());
  auto count = db->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int(0), 2);
}

// Text bound uncopied is read by the step that runs with it; the row keeps its own copy, so
// the caller's buffer may change after Run() and Reset().
TEST(SqliteTest, UncopiedTextIsStoredAsItWasAtTheStep) {
  vigil::testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/x.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(db->Migrate(kMigrations).ok());
  auto ins = db->Prepare("INSERT INTO t (name) VALUES (?1)");
  ASSERT_TRUE(ins.ok());
  std::string buffer = "first";
  for (const char* next : {"second", "third"}) {
    ins->BindUncopied(1, buffer);
    ASSERT_TRUE(ins->Run().ok());
    ins->Reset();
    buffer.assign(next);
  }
  buffer.assign("overwritten");
  auto sel = db->Prepare("SELECT name FROM t ORDER BY id");
  ASSERT_TRUE(sel.ok());
  std::vector<std::string> names;
  ASSERT_TRUE(sel->ForEachRow([&] { names.push_back(sel->Text(0)); }).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"first", "second"}));
}

TEST(SqliteTest, UsesWal) {
  vigil::testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/w.db");
  ASSERT_TRUE(db.ok());
  auto mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
}

TEST(SqliteTest, RefusesASchemaNewerThanTheCode) {
  vigil::testing::TempDir dir;
  const std::string path = dir.path() + "/n.db";
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db->Migrate(kMigrations).ok());
  }
  auto db = Database::Open(path);
  Status s = db->Migrate(std::span(kMigrations).first(1));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s.message();
}

TEST(SqliteTest, AFailedMigrationLeavesTheVersion) {
  vigil::testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/f.db");
  const std::array<Migration, 2> bad = {{{1, "CREATE TABLE a (x);"}, {2, "CREATE TABLE a (y);"}}};
  EXPECT_FALSE(db->Migrate(bad).ok());
  EXPECT_EQ(*db->UserVersion(), 1);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER)").ok());
  {
    Transaction tx(*db);
    ASSERT_TRUE(tx.begin_status().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  {
    Transaction tx(*db);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx.Commit().ok());
    EXPECT_FALSE(tx.Commit().ok());
  }
  auto sel = db->Prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Text(0), "2");
}

TEST(SqliteTest, ErrorsNameTheFileAndStatement) {
  vigil::testing::TempDir dir;
  auto missing = Database::Open(dir.path() + "/no/such/dir/x.db");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/no/such/dir/x.db"), std::string::npos);

  auto db = Database::Open(":memory:");
  auto bad = db->Prepare("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("SELEKT"), std::string::npos) << bad.status().message();

  ASSERT_TRUE(db->Exec("CREATE TABLE u (x INTEGER UNIQUE)").ok());
  auto ins = db->Prepare("INSERT INTO u VALUES (?)");
  ASSERT_TRUE(ins->Bind(1, 7).Run().ok());
  ins->Reset();
  Status dup = ins->Bind(1, 7).Run();
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("UNIQUE"), std::string::npos) << dup.message();

  ins->Reset();
  Status range = ins->Bind(5, 1).Run();  // no such parameter
  EXPECT_FALSE(range.ok());
}

TEST(SqliteTest, ReadOnlyCannotWrite) {
  vigil::testing::TempDir dir;
  const std::string path = dir.path() + "/r.db";
  { ASSERT_TRUE(Database::Open(path)->Exec("CREATE TABLE t (x)").ok()); }
  auto ro = Database::Open(path, kReadOnly);
  ASSERT_TRUE(ro.ok());
  EXPECT_FALSE(ro->Exec("INSERT INTO t VALUES (1)").ok());
}

}  // namespace
}  // namespace vigil::sqlite
