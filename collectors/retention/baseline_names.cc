// BaselineNames: the ids of the baseline's directory and label tables, both ways, with their
// caches (baseline_store.h).
#include "baseline_store.h"

namespace vigil::retention {

Status BaselineNames::Prepare(sqlite::Database& db, bool write) {
  db_ = &db;
  auto prep = [&](sqlite::Statement* out, const char* sql) -> Status {
    auto s = db.Prepare(sql);
    if (!s.ok()) return s.status();
    *out = std::move(*s);
    return Status::Ok();
  };
  VIGIL_RETURN_IF_ERROR(prep(&dir_path_, "SELECT path FROM retention_dirs WHERE id = ?1"));
  VIGIL_RETURN_IF_ERROR(prep(&label_text_, "SELECT label FROM retention_labels WHERE id = ?1"));
  VIGIL_RETURN_IF_ERROR(prep(&dir_find_, "SELECT id FROM retention_dirs WHERE path = ?1"));
  VIGIL_RETURN_IF_ERROR(prep(&label_find_, "SELECT id FROM retention_labels WHERE label = ?1"));
  if (write) {
    VIGIL_RETURN_IF_ERROR(prep(&dir_add_, "INSERT INTO retention_dirs (path) VALUES (?1)"));
    VIGIL_RETURN_IF_ERROR(prep(&label_add_, "INSERT INTO retention_labels (label) VALUES (?1)"));
  }
  return Status::Ok();
}

Result<int64_t> BaselineNames::IdOf(sqlite::Statement& find, sqlite::Statement& add, std::string_view text) {
  find.Reset();
  find.Bind(1, text);
  auto row = find.Step();
  if (!row.ok()) return row.status();
  if (*row) {
    const int64_t id = find.Int(0);
    find.Reset();
    return id;
  }
  find.Reset();
  add.Reset();
  add.Bind(1, text);
  VIGIL_RETURN_IF_ERROR(add.Run());
  add.Reset();
  return db_->LastInsertRowId();
}

void BaselineNames::Forget() {
  last_dir_id_ = -1;
  last_dir_.clear();
  labels_.clear();
}

Result<int64_t> BaselineNames::DirId(std::string_view dir) {
  if (last_dir_id_ >= 0 && dir == last_dir_) return last_dir_id_;
  auto id = IdOf(dir_find_, dir_add_, dir);
  if (!id.ok()) return id.status();
  last_dir_id_ = *id;
  last_dir_.assign(dir);
  return *id;
}

Result<int64_t> BaselineNames::LabelId(std::string_view label) {
  for (const auto& [id, text] : labels_) {
    if (text == label) return id;
  }
  auto id = IdOf(label_find_, label_add_, label);
  if (!id.ok()) return id.status();
  labels_.emplace_back(*id, std::string(label));
  return *id;
}

Result<int64_t> BaselineNames::FindDirId(std::string_view dir) {
  if (last_dir_id_ >= 0 && dir == last_dir_) return last_dir_id_;
  dir_find_.Reset();
  dir_find_.Bind(1, dir);
  auto row = dir_find_.Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    dir_find_.Reset();
    return int64_t{-1};
  }
  last_dir_id_ = dir_find_.Int(0);
  last_dir_.assign(dir);
  dir_find_.Reset();
  return last_dir_id_;
}

Result<std::string> BaselineNames::Dir(int64_t id) {
  if (id == last_dir_id_) return last_dir_;
  dir_path_.Reset();
  dir_path_.Bind(1, id);
  auto row = dir_path_.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::IoError(db_->path() + ": retention baseline: no directory " + std::to_string(id));
  last_dir_ = dir_path_.Text(0);
  last_dir_id_ = id;
  dir_path_.Reset();
  return last_dir_;
}

Result<std::string> BaselineNames::Label(int64_t id) {
  for (const auto& [known, text] : labels_) {
    if (known == id) return text;
  }
  label_text_.Reset();
  label_text_.Bind(1, id);
  auto row = label_text_.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::IoError(db_->path() + ": retention baseline: no label " + std::to_string(id));
  labels_.emplace_back(id, label_text_.Text(0));
  label_text_.Reset();
  return labels_.back().second;
}

}  // namespace vigil::retention
