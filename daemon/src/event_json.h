// Events as JSON: the form of `vigil replay --events` output, of outputs, and of the input of
// the jsonl collector. One event is one compact JSON object on one line.
//
// Writing (EventToJson) nests dotted ECS names as objects ({"source":{"ip":"10.0.0.1"}}),
// puts "@timestamp" first and sorts every other key, so that the same event always gives
// the same bytes. Values: time as an RFC 3339 string (time_format.h), duration as integer
// nanoseconds, ip as its text, list as an array of strings, int/double/bool as JSON numbers
// and booleans. Undeclared fields (Event::extras) are placed at their dotted position with
// their raw JSON. When a name is both a value and a prefix of another name ("a" and "a.b"),
// the longer one is written as a flat dotted key at the level where they meet
// ({"a":1,"a.b":2}); so does the rest of a name under a declared field's name
// ({"source":{"ip":"10.0.0.1","ip.note":"x"}}) and a name that would nest the output deeper
// than kMaxJsonDepth. Nothing is dropped, and EventFromJson reads every output back. Invalid UTF-8
// in strings is replaced by U+FFFD.
//
// Reading (EventFromJson) accepts one JSON object (nested, dotted keys, or a mix), flattens
// it to dotted names and converts each declared field to its FieldType:
//   string   a JSON string
//   int      a JSON integer in the int64 range, or a string of decimal digits ("22")
//   double   any finite JSON number
//   bool     true or false
//   ip       a string IpAddress::Parse accepts
//   time     an RFC 3339 string, or a JSON number of seconds since the epoch (may be
//            fractional); in both cases from 1970 to the end of the Timestamp range
//   duration a JSON integer of nanoseconds
//   list     an array of strings, or one string (a one-element list)
// Null values and empty objects are skipped. A name that no one declared is kept in
// Event::extras with its raw JSON. A value of the wrong type, a declared name given an
// object, a name given twice ({"a.b":1,"a":{"b":2}}), nesting deeper than kMaxJsonDepth,
// malformed JSON or a non-object are errors; the message names the field and the expected
// type, e.g. `field 'source.ip': expected ip, got "abc"`.
//
// Neither function throws. Both are thread-safe (they only read the registry). The events
// they build use registry ids; Event::Set checks types against FieldRegistry::Global(), so
// pass a different registry only when it declares the same fields with the same ids.
#pragma once

#include <string>
#include <string_view>

#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil {

// The deepest nesting of objects and arrays EventFromJson accepts (the top object is 1).
inline constexpr int kMaxJsonDepth = 32;

std::string EventToJson(const Event& event, const FieldRegistry& fields = FieldRegistry::Global());

Result<Event> EventFromJson(std::string_view text,
                            const FieldRegistry& fields = FieldRegistry::Global());

namespace internal {
// EventToJson's two paths, for the tests that compare them: the general one builds a JSON
// tree; the fast one writes directly and returns false for what it does not handle.
std::string EventToJsonGeneric(const Event& event, const FieldRegistry& fields);
bool TryEventToJsonFast(const Event& event, const FieldRegistry& fields, std::string* out);
}  // namespace internal

}  // namespace vigil
