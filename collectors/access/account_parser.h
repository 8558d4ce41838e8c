// shadow-utils account changes (useradd, userdel, usermod, groupadd, groupdel, groupmod,
// gpasswd, passwd, chpasswd, chage). Dataset access.account, category iam.
//
//   new user: name=U, UID=N, GID=G, ...      → user_created (target U, target id N, gid G)
//   new group: name=G, GID=N                 → group_created (group G, gid N)
//   add 'U' to [shadow ]group 'G'            → user_added_to_group (the shadow line: other)
//   delete 'U' from [shadow ]group 'G'       → user_removed_from_group (shadow line: other)
//   delete user 'U'                          → user_deleted
//   removed group 'G' owned by 'U', group 'G' removed → group_deleted
//   change user 'U' ..., lock/unlock user 'U' password, change user name 'U' to 'V'
//                                            → user_modified
//   password for 'U' changed by 'V', changed password expiry for U,
//   pam_unix(passwd|chpasswd:chauthtok): password changed for U → password_changed
//   failed adding user 'U', ...              → user_created, failure
// Every other line of these programs is action `other`; other PAM lines go to pam_parser.h.
#pragma once

#include <string_view>

#include "auth_record.h"

namespace vigil::access {

void ParseAccount(std::string_view message, AuthRecord* r);

}  // namespace vigil::access
