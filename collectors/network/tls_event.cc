#include "tls_event.h"

#include "app_event.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {

Event TlsEvent(const TlsHello& h, const DecodedPacket& p, int64_t ts_ns,
               const NetworkFieldIds& ids) {
  Event e = AppMessageEvent(p, ts_ns, "network.tls", "tls",
                            h.client ? "tls_client_hello" : "tls_server_hello");

  if (h.client) {
    if (h.has_sni) e.Set(ecs::kTlsClientServerName, h.server_name);
    e.Set(ecs::kTlsClientJa3, Md5Hex(Ja3String(h)));
    e.Set(ids.tls_ja4, Ja4(h));
    StringList ciphers;
    for (uint16_t c : h.ciphers) {
      if (!IsGrease(c)) ciphers.push_back(TlsCipherName(c));
    }
    e.Set(ids.tls_supported_ciphers, std::move(ciphers));
    StringList versions;
    if (h.supported_versions.empty()) {
      versions.push_back(TlsVersionNumber(h.legacy_version));
    } else {
      for (uint16_t v : h.supported_versions) {
        if (!IsGrease(v)) versions.push_back(TlsVersionNumber(v));
      }
    }
    e.Set(ids.tls_client_versions, std::move(versions));
    if (!h.alpn.empty()) e.Set(ids.tls_client_alpn, StringList(h.alpn.begin(), h.alpn.end()));
  } else {
    const uint16_t version = TlsEffectiveVersion(h);
    e.Set(ecs::kTlsVersion, TlsVersionNumber(version));
    e.Set(ecs::kTlsVersionProtocol, TlsVersionProtocol(version));
    if (!h.ciphers.empty()) e.Set(ecs::kTlsCipher, TlsCipherName(h.ciphers[0]));
    e.Set(ids.tls_ja3s, Md5Hex(Ja3sString(h)));
    if (!h.alpn.empty()) e.Set(ids.tls_next_protocol, h.alpn[0]);
  }
  return e;
}

}  // namespace vigil::network
