// The vigil.retention.* fields (and vigil.controls) that retention events carry beyond ECS.
// Declared once by the retention collector factory (DeclareFields); listed in docs/fields.md
// and docs/retention.md. Plain ids after declaration: share freely between threads.
#pragma once

#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil::retention {

struct RetentionFieldIds {
  FieldId policy = 0;            // vigil.retention.policy (string): the policy file
  FieldId class_id = 0;          // vigil.retention.class (string): the primary class id
  FieldId classes = 0;           // vigil.retention.classes (list): every matching class
  FieldId min = 0;               // vigil.retention.min (string): the primary class's min, "7y"
  FieldId max = 0;               // vigil.retention.max (string)
  FieldId age = 0;               // vigil.retention.age (duration): now - clock start
  FieldId due = 0;               // vigil.retention.due (time): the due date the finding is about
  FieldId hold = 0;              // vigil.retention.hold (string): active hold ids, comma-separated
  FieldId clock = 0;             // vigil.retention.clock (string): birth|first_seen|mtime|event
  FieldId trigger = 0;           // vigil.retention.trigger (string)
  FieldId immutability = 0;      // vigil.retention.immutability (string): worm|append_only|none
  FieldId previous_path = 0;     // vigil.retention.previous_path (string)
  FieldId previous_sha256 = 0;   // vigil.retention.previous_sha256 (string)
  FieldId previous_size = 0;     // vigil.retention.previous_size (int)
  FieldId severity = 0;          // vigil.retention.severity (string): the unclassified scope's
  FieldId gap = 0;               // vigil.retention.gap (duration): how long nothing was watched
  FieldId gap_reasons = 0;       // vigil.retention.gap_reasons (list): "open_dir=3", ...
  FieldId gap_paths = 0;         // vigil.retention.gap_paths (int): directories not fully read
  FieldId files_scanned = 0;     // vigil.retention.files_scanned (int)
  FieldId hash_pending = 0;      // vigil.retention.hash_pending (bool): content not yet hashed
  FieldId controls = 0;          // vigil.controls (list): "framework:control"
};

Result<RetentionFieldIds> DeclareRetentionFields(FieldRegistry& fields);

}  // namespace vigil::retention
