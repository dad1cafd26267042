// OvenMediaEngine AdmissionWebhooks: POST JSON {client: {address, port,
// real_ip?, user_agent?}, request: {direction, protocol, status, url, new_url?,
// time}}, signed in header X-OME-Signature = base64url(HMAC-SHA1(secret, body)).
// The viewer's key/pass (a publisher's user/pass) ride in the query of
// request.url; app and stream are the first two segments of its path.
// Every answer OME acts on is 200: {"allowed": true, "lifetime": ms},
// {"allowed": false, "reason": "..."}, or {} for a closing (docs/hooks.md, OME).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_call.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

struct OmeCall {
  // client.*: the connected peer, and the address a proxy in front of OME vouches for.
  std::string address, real_ip;
  std::optional<int64_t> port;
  // request.*: direction incoming (publish) | outgoing (play), status opening | closing.
  std::string direction, protocol, status, url;
  std::string app, stream;  // the first two path segments of url
  Credentials credentials;  // from url's query

  bool publish() const { return direction == "incoming"; }
  bool closing() const { return status == "closing"; }
  // The viewer's address: real_ip when OME sends one and the peer it came
  // from is one real_ip_from vouches for, else the connected peer.
  // real_ip_from: an ip list as a ticket's (empty: every peer) or "none"
  // (docs/hooks.md, OvenMediaEngine: OME copies real_ip from any client's
  // X-Real-IP / X-Forwarded-For).
  const std::string& client_ip(std::string_view real_ip_from = {}) const;
  // Its connection, address:port: the same in an opening and its closing but
  // for HLS and DASH players, whose viewings are named by none (ome.cpp).
  std::string session_id() const;
};

std::optional<OmeCall> decode_ome(std::string_view body, std::string& problem);

// The X-OME-Signature OME sends with body: base64url(HMAC-SHA1(secret, body)),
// unpadded.
std::string ome_signature(std::string_view secret, std::string_view body);

// nullopt when req carries body's signature under secret (compared in constant
// time; a '=' padding is tolerated). Else the refusal: 401 for a missing or
// wrong signature or when no secret is configured (docs/hooks.md).
std::optional<HttpResponse> ome_signature_refusal(const HttpRequest& req, std::string_view secret);

// OME's lifetime for a granted decision at ticket time now: the milliseconds
// until the ticket expires, at least 1000 (OME reads 0 as "forever"); nullopt
// when the decision carries no expiry (a publisher).
std::optional<int64_t> ome_lifetime(const UsherDecision& d, int64_t now);

// real_ip_from: whose real_ip counts (OmeCall::client_ip).
HookCall ome_call(const HttpRequest& req, std::string_view real_ip_from);

// Why real_ip_from is no --ome-real-ip-from value, or nullopt when it is one.
std::optional<std::string> real_ip_from_problem(std::string_view real_ip_from);

}  // namespace sevu::hooks
