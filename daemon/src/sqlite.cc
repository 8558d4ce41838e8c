#include "vigil/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace vigil::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 10000;

std::string Abbreviated(std::string_view sql) {
  constexpr size_t kMax = 80;
  std::string s(sql.substr(0, kMax));
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (sql.size() > kMax) s += "...";
  return s;
}

}  // namespace

// ---- Database -------------------------------------------------------------------------------

Database::Database(Database&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Error(std::string_view what) const {
  std::string m = "sqlite " + path_ + ": " + std::string(what);
  if (db_ != nullptr) m += ": " + std::string(sqlite3_errmsg(db_));
  return Status::IoError(std::move(m));
}

Result<Database> Database::Open(const std::string& path, OpenFlags flags) {
  // Once, before SQLite initialises: no memory statistics (Vigil reads none), so that an
  // allocation does not take SQLite's global memory mutex (a million-row baseline write
  // allocates several times a row). Fails harmlessly when SQLite was initialised already.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  int f = SQLITE_OPEN_NOMUTEX;
  switch (flags) {
    case kReadWriteCreate: f |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case kReadWrite: f |= SQLITE_OPEN_READWRITE; break;
    case kReadOnly: f |= SQLITE_OPEN_READONLY; break;
  }
  Database db;
  db.path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, f, nullptr);
  if (rc != SQLITE_OK) {
    Status s = db.db_ != nullptr ? db.Error("open") : Status::IoError("sqlite " + path + ": open: out of memory");
    return s;
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, kBusyTimeoutMs);
  if (flags != kReadOnly) {
    // journal_mode returns a row; Exec ignores rows.
    VIGIL_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
    VIGIL_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=NORMAL"));
  }
  VIGIL_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  return db;
}

Status Database::Exec(std::string_view sql) {
  if (db_ == nullptr) return Status::FailedPrecondition("sqlite: database is not open");
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string m = "sqlite " + path_ + ": " + Abbreviated(sql) + ": " + (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return Status::IoError(std::move(m));
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  if (db_ == nullptr) return Status::FailedPrecondition("sqlite: database is not open");
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error("prepare " + Abbreviated(sql));
  return Statement(db_, stmt);
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Database::Changes() const { return sqlite3_changes(db_); }

Result<int> Database::UserVersion() {
  auto st = Prepare("PRAGMA user_version");
  if (!st.ok()) return st.status();
  auto row = st->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(st->Int(0)) : 0;
}

Status Database::Migrate(std::span<const Migration> migrations) {
  auto current = UserVersion();
  if (!current.ok()) return current.status();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > latest) {
    return Status::FailedPrecondition("sqlite " + path_ + ": schema version " + std::to_string(*current) +
                                      " is newer than this Vigil knows (" + std::to_string(latest) +
                                      "); use a newer vigil");
  }
  int expect = 1;
  for (const Migration& m : migrations) {
    if (m.version != expect++) {
      return Status::Internal("sqlite migrations are not numbered 1, 2, 3...");
    }
    if (m.version <= *current) continue;
    Transaction tx(*this);
    VIGIL_RETURN_IF_ERROR(tx.begin_status());
    VIGIL_RETURN_IF_ERROR(Exec(m.sql));
    VIGIL_RETURN_IF_ERROR(Exec("PRAGMA user_version=" + std::to_string(m.version)));
    VIGIL_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

// ---- Statement ------------------------------------------------------------------------------

Statement::Statement(Statement&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), stmt_(std::exchange(o.stmt_, nullptr)), bind_error_(o.bind_error_) {}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(o.db_, nullptr);
    stmt_ = std::exchange(o.stmt_, nullptr);
    bind_error_ = o.bind_error_;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

namespace {
void Note(int rc, int& first_error) {
  if (rc != SQLITE_OK && first_error == 0) first_error = rc;
}
}  // namespace

Statement& Statement::Bind(int index, int64_t value) {
  Note(sqlite3_bind_int64(stmt_, index, value), bind_error_);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  Note(sqlite3_bind_double(stmt_, index, value), bind_error_);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view text, void (*lifetime)(void*)) {
  Note(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), lifetime, SQLITE_UTF8), bind_error_);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) { return BindText(index, text, SQLITE_TRANSIENT); }

Statement& Statement::BindUncopied(int index, std::string_view text) { return BindText(index, text, SQLITE_STATIC); }

Statement& Statement::Bind(int index, std::nullptr_t) {
  Note(sqlite3_bind_null(stmt_, index), bind_error_);
  return *this;
}

Statement& Statement::BindBlob(int index, std::span<const std::byte> bytes) {
  Note(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT), bind_error_);
  return *this;
}

Result<bool> Statement::Step() {
  if (stmt_ == nullptr) return Status::FailedPrecondition("sqlite: statement is not prepared");
  if (bind_error_ != 0) {
    return Status::InvalidArgument(std::string("sqlite: bind failed for ") +
                                   Abbreviated(sqlite3_sql(stmt_)) + ": " + sqlite3_errstr(bind_error_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string m = std::string("sqlite ") + (sqlite3_db_filename(db_, "main") ? sqlite3_db_filename(db_, "main") : "") +
                  ": " + Abbreviated(sqlite3_sql(stmt_)) + ": " + sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  return Status::IoError(std::move(m));
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

std::string Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

std::string_view Statement::TextView(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

std::string_view Statement::BlobView(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), static_cast<size_t>(n));
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

bool Statement::IsBlob(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_BLOB; }

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

// ---- Transaction ----------------------------------------------------------------------------

Transaction::Transaction(Database& db) : db_(&db), begin_(db.Exec("BEGIN IMMEDIATE")) {
  done_ = !begin_.ok();
}

Transaction::~Transaction() {
  if (!done_) db_->Exec("ROLLBACK").IgnoreError();  // nothing more to do if even that fails
}

Status Transaction::Commit() {
  if (done_) return begin_.ok() ? Status::FailedPrecondition("sqlite: transaction already ended") : begin_;
  Status s = db_->Exec("COMMIT");
  if (s.ok()) done_ = true;
  return s;
}

Status ReadBatch::Begin(Database& db) {
  if (open_) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(db.Exec("BEGIN"));
  open_ = true;
  return Status::Ok();
}

Status ReadBatch::End(Database& db) {
  if (!open_) return Status::Ok();
  open_ = false;
  return db.Exec("COMMIT");
}

}  // namespace vigil::sqlite
