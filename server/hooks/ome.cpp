#include "hooks/ome.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "auth/crypto.hpp"
#include "core/json_util.hpp"
#include "core/query_string.hpp"
#include "core/text.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/wire_fields.hpp"
#include "usher/ip_rules.hpp"

namespace sevu::hooks {

namespace {

// OME needs nothing back for a closing but an empty object.
HttpResponse empty_object() {
  HttpResponse r;
  r.body = "{}";
  return r;
}

HttpResponse encode_closing(const UsherDecision&, int64_t) {
  return empty_object();
}

// Always 200: OME reads any other status as an error of the control server,
// and "allowed" as the answer.
HttpResponse encode_opening(const UsherDecision& d, int64_t now) {
  if (!d.allowed) return decision_reply(200, d);  // {"allowed": false, "reason": ...}
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("allowed");
  w.Bool(true);
  if (auto lifetime = ome_lifetime(d, now)) {
    w.Key("lifetime");
    w.Int64(*lifetime);
  }
  w.EndObject();
  return json_reply(200, buf);
}

// HLS and DASH players fetch over several HTTP connections, and OME sends a
// session's closing from whichever closed last (LLHlsPublisher): its port is
// not the opening's. Such a viewing is named by no connection; its closing
// ends the viewer's newest unnamed session (docs/sessions.md).
// OME names them LLHLS and HLSv3 (common_types.h); hls, dash and lldash are
// the names of releases before it.
bool over_several_connections(std::string_view protocol) {
  for (std::string_view http : {"llhls", "hlsv3", "hls", "dash", "lldash"})
    if (protocol == http) return true;
  return false;
}

bool thumbnail(const OmeCall& c) {
  return iequals(c.protocol, "thumbnail");
}

UsherRequest usher_request(const OmeCall& c, UsherAction action, std::string_view real_ip_from) {
  UsherRequest r;
  r.action = action;
  r.credentials = c.credentials;
  r.client_ip = c.client_ip(real_ip_from);
  r.app = c.app;
  r.video = c.stream;
  r.media_server = "ome";
  r.protocol = ascii_lower(c.protocol);
  // A thumbnail belongs to no viewing: named by its connection, it would be
  // held to whatever session last had that address and port.
  if (!over_several_connections(r.protocol) && !thumbnail(c)) r.session_id = c.session_id();
  return r;
}

// What an opening asks of the usher. A thumbnail (OME's thumbnail publisher
// sends an opening for every image fetched, and never a closing) is no start:
// the ticket must admit the viewer as a re-check does, but nothing is spent,
// logged or opened (docs/hooks.md, OvenMediaEngine).
UsherAction opening_action(const OmeCall& c) {
  if (c.publish()) return UsherAction::kPublish;
  if (thumbnail(c)) return UsherAction::kRecheck;
  return UsherAction::kStart;
}

// The object member `name` of doc; nullptr, with the problem, when it is
// missing or no object.
const rapidjson::Value* object_member(const rapidjson::Value& doc, const char* name,
                                      std::string& problem) {
  auto it = doc.FindMember(name);
  if (it == doc.MemberEnd() || !it->value.IsObject()) {
    problem = std::string(name) + ": required, an object";
    return nullptr;
  }
  return &it->value;
}

bool read_client(const rapidjson::Value& client, OmeCall& c, std::string& problem) {
  std::string user_agent;  // not logged: the attempt has no column for it
  if (!read_member_strings(
          client, "client.",
          {{"address", &c.address}, {"real_ip", &c.real_ip}, {"user_agent", &user_agent}}, problem))
    return false;
  if (has_member(client, "port")) {
    c.port = int_member(client, "port");
    if (!c.port) {
      problem = "client.port: must be an integer";
      return false;
    }
  }
  if (c.address.empty() && c.real_ip.empty()) {
    problem = "client.address: required";
    return false;
  }
  return true;
}

bool read_request(const rapidjson::Value& request, OmeCall& c, std::string& problem) {
  std::string new_url, time;  // new_url: only ever ours to send; time: OME's wall clock
  if (!read_member_strings(request, "request.",
                           {{"direction", &c.direction},
                            {"protocol", &c.protocol},
                            {"status", &c.status},
                            {"url", &c.url},
                            {"new_url", &new_url},
                            {"time", &time}},
                           problem))
    return false;
  if (c.direction != "incoming" && c.direction != "outgoing") {
    problem = "request.direction: must be incoming or outgoing";
    return false;
  }
  if (c.status != "opening" && c.status != "closing") {
    problem = "request.status: must be opening or closing";
    return false;
  }
  return true;
}

// app and stream from url's path, the credentials from its query.
bool read_url(OmeCall& c, std::string& problem) {
  if (c.url.empty()) {
    problem = "request.url: required";
    return false;
  }
  const auto [raw_path, query] = split_url(c.url);
  auto path = percent_decode(raw_path, false);
  if (!path) {
    problem = "request.url: malformed %-escape";
    return false;
  }
  auto segments = path_segments(*path);
  if (!segments.empty()) c.app = std::string(segments[0]);
  if (segments.size() > 1) c.stream = std::string(segments[1]);
  c.credentials = credentials_from_query(query);
  return true;
}

}  // namespace

const std::string& OmeCall::client_ip(std::string_view real_ip_from) const {
  if (real_ip.empty() || real_ip_from == "none") return address.empty() ? real_ip : address;
  if (address.empty() || usher::check_ip(real_ip_from, address).allowed) return real_ip;
  return address;
}

std::optional<std::string> real_ip_from_problem(std::string_view real_ip_from) {
  if (real_ip_from == "none") return std::nullopt;
  if (auto problem = usher::ip_list_problem(real_ip_from)) return problem;
  // An auto entry would bind to the first peer, which is no one's decision. In
  // a valid list only an auto entry holds those letters.
  if (real_ip_from.find("auto") != std::string_view::npos)
    return "auto entries bind to the first peer; name the proxies' addresses";
  return std::nullopt;
}

std::string OmeCall::session_id() const {
  if (!port) return address;
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(*port);
}

std::optional<OmeCall> decode_ome(std::string_view body, std::string& problem) {
  JsonDocument doc;
  if (!parse_json_object(body, doc, problem)) return std::nullopt;
  const rapidjson::Value* client = object_member(doc, "client", problem);
  if (client == nullptr) return std::nullopt;
  const rapidjson::Value* request = object_member(doc, "request", problem);
  if (request == nullptr) return std::nullopt;
  OmeCall c;
  if (!read_client(*client, c, problem) || !read_request(*request, c, problem) ||
      !read_url(c, problem))
    return std::nullopt;
  return c;
}

std::string ome_signature(std::string_view secret, std::string_view body) {
  return base64url_encode(hmac_sha1(secret, body));
}

std::optional<HttpResponse> ome_signature_refusal(const HttpRequest& req, std::string_view secret) {
  // Without a secret no signature can be right: refused as a bad one, with a
  // body that says which side lacks it (docs/hooks.md, OvenMediaEngine).
  if (secret.empty())
    return json_error(401, "UNAUTHORIZED",
                      "X-OME-Signature cannot be checked: /hooks/ome needs the "
                      "AdmissionWebhooks SecretKey as --ome-secret");
  auto given = req.header("X-OME-Signature");
  if (!given) return json_error(401, "UNAUTHORIZED", "X-OME-Signature missing");
  std::string_view sent = trim(*given);
  while (!sent.empty() && sent.back() == '=') sent.remove_suffix(1);
  if (!constant_time_equal(sent, ome_signature(secret, req.body)))
    return json_error(401, "UNAUTHORIZED", "X-OME-Signature wrong");
  return std::nullopt;
}

std::optional<int64_t> ome_lifetime(const UsherDecision& d, int64_t now) {
  if (!d.allowed || !d.expires) return std::nullopt;
  // Whole seconds: the ticket clock has no finer grain.
  return std::max<int64_t>(*d.expires - now, 1) * 1000;
}

HookCall ome_call(const HttpRequest& req, std::string_view real_ip_from) {
  std::string problem;
  auto call = decode_ome(req.body, problem);
  if (!call) return HookCall::answered(malformed(problem));
  if (!call->closing())
    return HookCall::ask(usher_request(*call, opening_action(*call), real_ip_from), encode_opening);
  // A publisher leaving holds no viewing session; nor does a viewer without a key.
  if (call->publish() || !call->credentials.key) return HookCall::answered(empty_object());
  return HookCall::ask(usher_request(*call, UsherAction::kEnd, real_ip_from), encode_closing);
}

}  // namespace sevu::hooks
