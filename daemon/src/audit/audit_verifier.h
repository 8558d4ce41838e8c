// VerifyAuditLog: checks an audit log end to end and reports the first problem found.
//
// Checked, in one pass: every line is a well-formed record; seq runs 1, 2, 3… (a gap is a
// removed record, a step back a reordered or duplicated one); each record's prev is the
// SHA-256 of the line before (an edited record breaks it); each checkpoint record's tree
// size is the records before it, its root is the RFC 9162 Merkle head of those lines, and
// its signed note verifies with the public key (an edited record whose successors were
// re-chained still changes the root). Then the anchors kept outside the log: the exported
// checkpoint file (its tree must be a prefix of the log: a shorter log was truncated) and
// the store's audit head (the last record the store applied must be in the log, with the
// same hash). A last line without its newline is a torn write.
//
// Threading: no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/signed_note.h"
#include "vigil/status.h"

namespace vigil::audit {

struct VerifyOptions {
  std::string log_path;
  std::optional<NoteVerifier> key;  // without it, signatures are not checked (and said so)
  std::string checkpoint_path;      // "" = none; a missing file is noted, not an error
  // With `snapshot`, the checkpoint file's text as the caller read it (with the log's size,
  // under the log's lock, so that both are of one moment; unset: there was no file);
  // without, the file at checkpoint_path is read.
  bool snapshot = false;
  std::optional<std::string> checkpoint_text;
  // Only the first `log_size` bytes are verified (records appended later are not seen).
  uint64_t log_size = UINT64_MAX;
  std::optional<uint64_t> head_seq;  // the store's audit head, when there is a store
  std::string head_hash;             // hex
};

struct VerifyResult {
  bool ok = true;
  uint64_t records = 0;           // well-formed records read before any problem
  uint64_t checkpoints = 0;       // checkpoint records verified
  uint64_t signed_records = 0;    // records covered by the last verified checkpoint
  uint64_t problem_seq = 0;       // the record the problem is at (0: none / the end)
  uint64_t problem_line = 0;
  std::string problem;            // the first problem, in words
  std::vector<std::string> notes; // what was not checked, and why
};

VerifyResult VerifyAuditLog(const VerifyOptions& options);

}  // namespace vigil::audit
