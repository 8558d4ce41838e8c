#include <string>

#include "baseline_row.h"
#include "baseline_store.h"

namespace vigil::retention {
namespace {

// Rows before a file's name stepped over (files deleted since the last scan) before searching
// again instead.
constexpr int kMaxSkip = 16;

}  // namespace

Status PathCursor::Prepare(sqlite::Database& db) {
  // NOT INDEXED: the table's own primary key (dir, name, key), not the key index.
  auto q = db.Prepare(std::string("SELECT ") + kBaselineColumns +
                      " FROM retention_baseline NOT INDEXED WHERE dir = ?1 AND name >= ?2"
                      " ORDER BY name, dev, ino, birth_ns");
  if (!q.ok()) return q.status();
  q_ = std::move(*q);
  open_ = false;
  return Status::Ok();
}

void PathCursor::Reset() {
  if (open_) q_.Reset();
  open_ = false;
  done_ = false;
}

Status PathCursor::Step() {
  auto row = q_.Step();
  if (!row.ok()) {
    Reset();
    return row.status();
  }
  done_ = !*row;
  return Status::Ok();
}

Status PathCursor::Seek(std::string_view name) {
  q_.Reset();
  q_.Bind(1, dir_id_).Bind(2, name);
  open_ = true;
  return Step();
}

Result<bool> PathCursor::Find(const FileKey& key, std::string_view path, BaselineNames& names,
                              sqlite::Statement& by_key, BaselineRecord* out) {
  auto by_key_into = [&]() -> Result<bool> {
    auto found = FindByKey(by_key, names, key);
    if (!found.ok()) return found.status();
    if (!*found) return false;
    *out = std::move(**found);
    return true;
  };
  const auto [dir, name] = SplitDirName(path);
  auto dir_id = names.FindDirId(dir);
  if (!dir_id.ok()) return dir_id.status();
  if (*dir_id < 0) return by_key_into();  // no row in that directory
  if (!open_ || *dir_id != dir_id_ || name <= last_name_) {
    if (*dir_id != dir_id_) {
      dir_id_ = *dir_id;
      dir_.assign(dir);
    }
    VIGIL_RETURN_IF_ERROR(Seek(name));
  }
  last_name_.assign(name);
  int skipped = 0;
  while (!done_) {
    const int c = q_.TextView(4).compare(name);
    if (c > 0) break;  // no row at this path (the cursor stays for the next name)
    if (c < 0) {
      if (++skipped > kMaxSkip) VIGIL_RETURN_IF_ERROR(Seek(name));
      else VIGIL_RETURN_IF_ERROR(Step());
      continue;
    }
    if (static_cast<uint64_t>(q_.Int(0)) == key.dev && static_cast<uint64_t>(q_.Int(1)) == key.ino &&
        q_.Int(2) == key.birth_ns) {
      const Status st = ReadRow(q_, names, &dir_, out);
      if (!st.ok()) {
        Reset();
        return st;
      }
      return true;  // the cursor stays on this row: the next name is after it
    }
    VIGIL_RETURN_IF_ERROR(Step());  // another file that had this path
  }
  return by_key_into();
}

}  // namespace vigil::retention
