// The well-known Elastic Common Schema fields, declared by the core with fixed ids.
//
// Collectors and the rule engine refer to these by constant (ecs::kSourceIp) instead of
// looking names up. The list is the single source for their names and types; ids follow
// the order of the list, so FieldRegistry declares them first and in this order.
// Fields that ECS lacks live under `vigil.` and are declared by the collector that emits
// them (see docs/fields.md).
#pragma once

#include "vigil/field.h"

// X(constant, "ecs.name", type, "description")
#define VIGIL_ECS_FIELDS(X)                                                                  \
  X(kTimestamp, "@timestamp", kTime, "When the event happened (UTC).")                        \
  X(kMessage, "message", kString, "Human-readable message of the event.")                    \
  X(kTags, "tags", kList, "Keywords attached to the event.")                                 \
  X(kEventKind, "event.kind", kString, "event or alert.")                                    \
  X(kEventCategory, "event.category", kList, "ECS categories, e.g. authentication, network.")\
  X(kEventType, "event.type", kList, "ECS types, e.g. start, denied, creation.")              \
  X(kEventAction, "event.action", kString, "What happened, e.g. ssh_login, file_deleted.")   \
  X(kEventOutcome, "event.outcome", kString, "success, failure or unknown.")                 \
  X(kEventDataset, "event.dataset", kString, "Source of the event, e.g. access.sshd.")       \
  X(kEventModule, "event.module", kString, "Collector module that produced the event.")      \
  X(kEventProvider, "event.provider", kString, "Program or subsystem that logged the event.")\
  X(kEventSeverity, "event.severity", kInt, "Numeric severity as given by the source.")      \
  X(kEventOriginal, "event.original", kString, "The raw input the event was parsed from.")   \
  X(kEventCreated, "event.created", kTime, "When Vigil read the event.")                     \
  X(kEventDuration, "event.duration", kDuration, "How long the event lasted.")               \
  X(kEventReason, "event.reason", kString, "Why the event happened.")                        \
  X(kEventCode, "event.code", kString, "Source-specific event code.")                        \
  X(kHostName, "host.name", kString, "Name of the host the event is about.")                 \
  X(kHostHostname, "host.hostname", kString, "Hostname as reported by the host.")            \
  X(kSourceIp, "source.ip", kIp, "Source address.")                                          \
  X(kSourcePort, "source.port", kInt, "Source port.")                                        \
  X(kSourceAddress, "source.address", kString, "Source as logged (name or address).")       \
  X(kSourceDomain, "source.domain", kString, "Source domain name.")                          \
  X(kSourceBytes, "source.bytes", kInt, "Bytes sent from the source.")                       \
  X(kSourcePackets, "source.packets", kInt, "Packets sent from the source.")                 \
  X(kDestinationIp, "destination.ip", kIp, "Destination address.")                           \
  X(kDestinationPort, "destination.port", kInt, "Destination port.")                         \
  X(kDestinationAddress, "destination.address", kString, "Destination as logged.")           \
  X(kDestinationDomain, "destination.domain", kString, "Destination domain name.")           \
  X(kDestinationBytes, "destination.bytes", kInt, "Bytes sent from the destination.")        \
  X(kDestinationPackets, "destination.packets", kInt, "Packets sent from the destination.")  \
  X(kNetworkTransport, "network.transport", kString, "tcp, udp, icmp, ...")                  \
  X(kNetworkProtocol, "network.protocol", kString, "Application protocol, e.g. dns, tls.")   \
  X(kNetworkCommunityId, "network.community_id", kString, "Community ID v1 flow hash.")      \
  X(kNetworkDirection, "network.direction", kString, "inbound, outbound, internal, ...")     \
  X(kNetworkType, "network.type", kString, "ipv4 or ipv6.")                                  \
  X(kNetworkBytes, "network.bytes", kInt, "Bytes in both directions.")                       \
  X(kNetworkPackets, "network.packets", kInt, "Packets in both directions.")                 \
  X(kUserName, "user.name", kString, "User the event is about (who acted).")                 \
  X(kUserId, "user.id", kString, "Numeric or unique id of the user.")                        \
  X(kUserDomain, "user.domain", kString, "Domain of the user.")                              \
  X(kUserTargetName, "user.target.name", kString, "User acted upon (su target, new user).")  \
  X(kUserTargetId, "user.target.id", kString, "Id of the user acted upon.")                  \
  X(kUserEffectiveName, "user.effective.name", kString, "Effective user (e.g. sudo runas).") \
  X(kGroupName, "group.name", kString, "Group the event is about.")                          \
  X(kProcessName, "process.name", kString, "Process name.")                                  \
  X(kProcessPid, "process.pid", kInt, "Process id.")                                         \
  X(kProcessExecutable, "process.executable", kString, "Absolute path of the executable.")   \
  X(kProcessCommandLine, "process.command_line", kString, "Full command line.")              \
  X(kProcessWorkingDirectory, "process.working_directory", kString, "Working directory.")    \
  X(kDnsQuestionName, "dns.question.name", kString, "Queried name.")                         \
  X(kDnsQuestionType, "dns.question.type", kString, "Query type, e.g. A, AAAA, TXT.")        \
  X(kDnsResponseCode, "dns.response_code", kString, "Response code, e.g. NOERROR, NXDOMAIN.")\
  X(kTlsVersion, "tls.version", kString, "TLS version number, e.g. 1.2.")                    \
  X(kTlsVersionProtocol, "tls.version_protocol", kString, "tls or ssl.")                     \
  X(kTlsCipher, "tls.cipher", kString, "Negotiated cipher suite.")                           \
  X(kTlsClientServerName, "tls.client.server_name", kString, "SNI sent by the client.")      \
  X(kTlsClientJa3, "tls.client.ja3", kString, "JA3 fingerprint of the client hello.")        \
  X(kHttpRequestMethod, "http.request.method", kString, "HTTP method.")                      \
  X(kHttpResponseStatusCode, "http.response.status_code", kInt, "HTTP status code.")         \
  X(kUrlOriginal, "url.original", kString, "URL as seen.")                                   \
  X(kUrlDomain, "url.domain", kString, "Host part of the URL.")                              \
  X(kUserAgentOriginal, "user_agent.original", kString, "User-Agent header.")                \
  X(kFilePath, "file.path", kString, "Full path of the file.")                               \
  X(kFileName, "file.name", kString, "File name without directory.")                         \
  X(kFileDirectory, "file.directory", kString, "Directory of the file.")                     \
  X(kFileSize, "file.size", kInt, "File size in bytes.")                                     \
  X(kFileHashSha256, "file.hash.sha256", kString, "SHA-256 of the content, hex.")            \
  X(kFileInode, "file.inode", kString, "Inode number.")                                      \
  X(kFileOwner, "file.owner", kString, "Owner user name.")                                   \
  X(kFileGroup, "file.group", kString, "Owner group name.")                                  \
  X(kFileMode, "file.mode", kString, "Permissions in octal, e.g. 0640.")                     \
  X(kFileMtime, "file.mtime", kTime, "Last content change.")                                 \
  X(kFileCtime, "file.ctime", kTime, "Last metadata change.")                                \
  X(kFileCreated, "file.created", kTime, "Birth time.")                                      \
  X(kLogFilePath, "log.file.path", kString, "Log file the event was read from.")             \
  X(kLogOffset, "log.offset", kInt, "Byte offset of the line in the log file.")              \
  X(kRuleId, "rule.id", kString, "Id of the rule that raised the alert.")                    \
  X(kRuleName, "rule.name", kString, "Name of the rule that raised the alert.")              \
  X(kServiceName, "service.name", kString, "Service the event is about.")                    \
  X(kObserverName, "observer.name", kString, "Collector instance that observed the event.")  \
  X(kRelatedIp, "related.ip", kList, "All addresses seen in the event.")                     \
  X(kRelatedUser, "related.user", kList, "All user names seen in the event.")                \
  X(kErrorMessage, "error.message", kString, "Error text.")

namespace vigil::ecs {

enum : FieldId {
#define VIGIL_ECS_ENUM(constant, name, type, desc) constant,
  VIGIL_ECS_FIELDS(VIGIL_ECS_ENUM)
#undef VIGIL_ECS_ENUM
  kWellKnownCount
};

}  // namespace vigil::ecs
