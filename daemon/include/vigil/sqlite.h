// SQLite access for every component that keeps state in a database (the alert store, the
// retention baseline): a thin RAII layer over the C API that turns every SQLite error into a
// Status carrying the statement and SQLite's own message, and versions schemas.
//
// Open() sets what every Vigil database needs: WAL journal (readers never block the writer,
// a crash never corrupts), synchronous=NORMAL (durable at each checkpoint; WAL keeps it
// consistent), foreign keys on, and a busy timeout so that the CLI and the daemon can use
// the same file at once. Migrate() applies numbered migrations in one transaction each and
// records the version in PRAGMA user_version; a database newer than the code is refused
// rather than misread.
//
// Threading: a Database and its Statements belong to one thread at a time (SQLite is built
// serialized on Debian, but Statement state is not shareable). Open one Database per thread
// that needs one. Statements must not outlive their Database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vigil/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::sqlite {

enum OpenFlags { kReadWriteCreate, kReadWrite, kReadOnly };

struct Migration {
  int version;      // 1, 2, 3 ... in order, no gaps
  const char* sql;  // one or more statements
};

class Statement;

class Database {
 public:
  Database() = default;
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Opens (and with kReadWriteCreate creates, mode 0600 via the process umask) `path`.
  // ":memory:" gives a private in-memory database.
  static Result<Database> Open(const std::string& path, OpenFlags flags = kReadWriteCreate);

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;  // rows changed by the last statement

  // Brings the schema to the last migration's version. Fails, changing nothing, when the
  // file's version is newer than the last migration (written by a newer Vigil).
  Status Migrate(std::span<const Migration> migrations);
  Result<int> UserVersion();

  bool is_open() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  Status Error(std::string_view what) const;  // SQLite's message for the last failure

  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement() = default;
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQL (`?1`, or the n-th `?`). Text and blobs are
  // copied by SQLite. A bind error (index out of range) surfaces at the next Step().
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, uint64_t value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, std::nullptr_t);
  Statement& BindBlob(int index, std::span<const std::byte> bytes);
  // Text SQLite does not copy: the caller keeps `text` alive and unchanged until the
  // statement has been stepped and Reset() (which clears the binding). For hot inserts,
  // where the copy is a malloc and a free per row.
  Statement& BindUncopied(int index, std::string_view text);

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows (or whose rows are ignored).
  Status Run();
  // Steps through every row, calling `on_row()` on each (it reads the columns); the first
  // step error is returned.
  template <class F>
  Status ForEachRow(F&& on_row) {
    for (;;) {
      auto row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      on_row();
    }
  }

  // Columns are numbered from 0. A NULL reads as 0 / "" .
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;
  // The column's bytes without a copy: valid until the next Step() or Reset().
  std::string_view TextView(int col) const;
  std::string_view BlobView(int col) const;
  bool IsNull(int col) const;
  bool IsBlob(int col) const;  // the value's storage class is BLOB
  int ColumnCount() const;

  // Ready to run again; bindings are cleared.
  void Reset();

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  // `lifetime`: SQLITE_TRANSIENT (SQLite copies) or SQLITE_STATIC (it does not).
  Statement& BindText(int index, std::string_view text, void (*lifetime)(void*));

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;  // first failed bind's SQLite code
};

// BEGIN IMMEDIATE on construction (the write lock is taken up front, so a concurrent writer
// waits for the busy timeout instead of failing at COMMIT); rolls back in the destructor
// unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  const Status& begin_status() const { return begin_; }
  Status Commit();

 private:
  Database* db_;
  Status begin_;
  bool done_ = false;
};

// A read transaction held open across a batch of lookups (one BEGIN ... COMMIT for the batch
// instead of one implicit transaction, with its file locks, per statement), opened and
// closed on demand: Begin does nothing when one is open, End nothing when none is.
class ReadBatch {
 public:
  Status Begin(Database& db);
  Status End(Database& db);
  bool open() const { return open_; }

 private:
  bool open_ = false;
};

}  // namespace vigil::sqlite
