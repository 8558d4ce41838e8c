#include "account_parser.h"

#include "pam_parser.h"

namespace vigil::access {
namespace {

// The text between the first pair of single quotes at or after `from`, or empty.
std::string_view Quoted(std::string_view s, size_t from = 0) {
  const size_t open = s.find('\'', from);
  if (open == std::string_view::npos) return {};
  const size_t close = s.find('\'', open + 1);
  if (close == std::string_view::npos) return {};
  return s.substr(open + 1, close - open - 1);
}

// The value of `key` in "k=v, k=v": up to the next comma.
std::string_view KeyValue(std::string_view s, std::string_view key) {
  size_t at = 0;
  while ((at = s.find(key, at)) != std::string_view::npos) {
    if (at == 0 || s[at - 1] == ' ' || s[at - 1] == ',') {
      std::string_view v = s.substr(at + key.size());
      return v.substr(0, v.find(','));
    }
    at += key.size();
  }
  return {};
}

void Set(std::string_view action, std::string_view type, std::string_view type2, AuthRecord* r) {
  r->action = action;
  r->outcome = Outcome::kSuccess;
  r->type = type;
  r->type2 = type2;
}

}  // namespace

void ParseAccount(std::string_view message, AuthRecord* r) {
  std::string_view msg = Trim(message);
  if (IsPamMessage(msg)) {
    ParsePam(msg, r);
    if (r->action != "password_changed") return;
  }
  r->dataset = "access.account";
  r->category = "iam";
  if (r->action == "password_changed") return;
  r->action = "other";
  std::string_view rest = msg;
  if (Consume(&rest, "new user: ")) {
    r->target_user = KeyValue(rest, "name=");
    r->target_uid = KeyValue(rest, "UID=");
    r->gid = KeyValue(rest, "GID=");
    Set("user_created", "user", "creation", r);
  } else if (Consume(&rest, "new group: ")) {
    r->group = KeyValue(rest, "name=");
    r->gid = KeyValue(rest, "GID=");
    Set("group_created", "group", "creation", r);
  } else if (Consume(&rest, "add '") || Consume(&rest, "delete '")) {
    const bool add = StartsWith(msg, "add");
    if (rest.find("' to shadow group '") != std::string_view::npos ||
        rest.find("' from shadow group '") != std::string_view::npos) {
      return;  // the /etc/gshadow twin of the line before
    }
    r->target_user = rest.substr(0, rest.find('\''));
    r->group = Quoted(rest, r->target_user.size() + 1);
    Set(add ? "user_added_to_group" : "user_removed_from_group", "group", "change", r);
  } else if (Consume(&rest, "delete user '")) {
    r->target_user = rest.substr(0, rest.find('\''));
    Set("user_deleted", "user", "deletion", r);
  } else if (Consume(&rest, "removed group '") || (StartsWith(msg, "group '") &&
                                                   msg.find("' removed") != std::string_view::npos)) {
    r->group = Quoted(msg);
    Set("group_deleted", "group", "deletion", r);
  } else if (StartsWith(msg, "change user ") || StartsWith(msg, "lock user '") ||
             StartsWith(msg, "unlock user '")) {
    r->target_user = Quoted(msg);
    Set("user_modified", "user", "change", r);
  } else if (Consume(&rest, "password for '")) {
    r->target_user = rest.substr(0, rest.find('\''));
    const size_t by = rest.find(" by ");
    if (by != std::string_view::npos) {
      r->user = Quoted(rest, by);
      r->has_user = !r->user.empty();
    }
    Set("password_changed", "user", "change", r);
  } else if (Consume(&rest, "changed password expiry for ")) {
    r->target_user = Trim(rest);
    Set("user_modified", "user", "change", r);
  } else if (Consume(&rest, "failed adding user '")) {
    r->target_user = rest.substr(0, rest.find('\''));
    Set("user_created", "user", "creation", r);
    r->outcome = Outcome::kFailure;
  }
}

}  // namespace vigil::access
