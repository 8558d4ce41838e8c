#include "retention_fields.h"

#include "vigil/field_decl.h"

namespace vigil::retention {

Result<RetentionFieldIds> DeclareRetentionFields(FieldRegistry& fields) {
  RetentionFieldIds ids;
  const Status declared = DeclareEach(fields, {
      {&ids.policy, "vigil.retention.policy", FieldType::kString, "Retention policy file the finding comes from."},
      {&ids.class_id, "vigil.retention.class", FieldType::kString, "Retention class that governs the file (the binding one when several match)."},
      {&ids.classes, "vigil.retention.classes", FieldType::kList, "Every retention class whose paths match the file."},
      {&ids.min, "vigil.retention.min", FieldType::kString, "Minimum retention of the governing class, as written (7y)."},
      {&ids.max, "vigil.retention.max", FieldType::kString, "Maximum retention of the governing class, as written (24mo)."},
      {&ids.age, "vigil.retention.age", FieldType::kDuration, "Time since the file's retention clock started."},
      {&ids.due, "vigil.retention.due", FieldType::kTime, "The due date the finding is about (end of minimum, or maximum)."},
      {&ids.hold, "vigil.retention.hold", FieldType::kString, "Ids of the legal holds active on the file, comma-separated."},
      {&ids.clock, "vigil.retention.clock", FieldType::kString, "Which clock started retention: birth, first_seen, mtime or event."},
      {&ids.trigger, "vigil.retention.trigger", FieldType::kString, "The class's trigger: created, modified, first_seen or event."},
      {&ids.immutability, "vigil.retention.immutability", FieldType::kString, "worm, append_only or none (the strictest of the matching classes)."},
      {&ids.previous_path, "vigil.retention.previous_path", FieldType::kString, "Path before a rename."},
      {&ids.previous_sha256, "vigil.retention.previous_sha256", FieldType::kString, "Last known SHA-256 before a change or deletion."},
      {&ids.previous_size, "vigil.retention.previous_size", FieldType::kInt, "Size in bytes before a change."},
      {&ids.severity, "vigil.retention.severity", FieldType::kString, "Severity the policy gives unclassified files."},
      {&ids.gap, "vigil.retention.gap", FieldType::kDuration, "How long nothing was watched (scan_gap)."},
      {&ids.gap_reasons, "vigil.retention.gap_reasons", FieldType::kList, "Why a scan was incomplete, as reason=count."},
      {&ids.gap_paths, "vigil.retention.gap_paths", FieldType::kInt, "Directories a scan could not read fully."},
      {&ids.files_scanned, "vigil.retention.files_scanned", FieldType::kInt, "Files the scan looked at."},
      {&ids.hash_pending, "vigil.retention.hash_pending", FieldType::kBool, "The file's content was not hashed yet (new, or changed since its last hash): file.hash.sha256 is absent or of an older content."},
      {&ids.controls, "vigil.controls", FieldType::kList, "Compliance controls that apply, as framework:control."},
  });
  if (!declared.ok()) return declared;
  return ids;
}

}  // namespace vigil::retention
