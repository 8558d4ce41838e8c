#include "dns_event.h"

#include "app_event.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
Event DnsEvent(const DnsMessage& msg, const DecodedPacket& p, int64_t ts_ns,
               const NetworkFieldIds& ids) {
  Event e = AppMessageEvent(p, ts_ns, "network.dns", "dns", msg.response ? "dns_answer" : "dns_query");

  e.Set(ids.dns_id, int64_t{msg.id});
  e.Set(ids.dns_type, std::string(msg.response ? "answer" : "query"));
  if (msg.has_question) {
    e.Set(ecs::kDnsQuestionName, msg.question_name);
    e.Set(ecs::kDnsQuestionType, DnsTypeName(msg.question_type));
  }
  if (msg.response) {
    e.Set(ecs::kDnsResponseCode, DnsRcodeName(msg.rcode));
    StringList data, types, resolved;
    for (const DnsAnswer& a : msg.answers) {
      data.push_back(a.data);
      types.push_back(DnsTypeName(a.type));
      if (a.type == 1 || a.type == 28) resolved.push_back(a.data);
    }
    if (!data.empty()) {
      e.Set(ids.dns_answers_data, std::move(data));
      e.Set(ids.dns_answers_type, std::move(types));
    }
    if (!resolved.empty()) e.Set(ids.dns_resolved_ip, std::move(resolved));
  }
  return e;
}

}  // namespace vigil::network
