#include "usher/decision.hpp"

#include <cstddef>
#include <string_view>
#include <utility>

#include "auth/crypto.hpp"
#include "usher/ip_rules.hpp"
#include "usher/pattern.hpp"

namespace sevu::usher {
namespace {

// The checks up to the app (docs/hooks.md), shared by decide() and recheck().
Reason check_ticket(const Ticket& ticket, const PlayRequest& req, int64_t now) {
  // In constant time, so response time tells a guesser nothing about how much
  // of the pass was right.
  if (!constant_time_equal(ticket.pass, req.pass)) return Reason::kInvalidAuthToken;
  if (!req.account_active) return Reason::kAccountDisabled;
  if (!ticket.active) return Reason::kTokenRevoked;
  if (now > ticket.expires) return Reason::kExpired;  // the expiry second itself still plays
  if (req.app_owned_elsewhere || !pattern_list_match(ticket.app, req.app))
    return Reason::kWrongApplication;
  return Reason::kSuccess;
}

}  // namespace

const char* reason_text(Reason r) {
  switch (r) {
    case Reason::kInvalidAuthToken:
      return "Invalid Auth Token";
    case Reason::kAccountDisabled:
      return "Account Disabled";
    case Reason::kTokenRevoked:
      return "Token Revoked";
    case Reason::kExpired:
      return "Expiration date surpassed";
    case Reason::kWrongApplication:
      return "Wrong Application";
    case Reason::kExceededMaxViews:
      return "Exceeded max views";
    case Reason::kInvalidIp:
      return "Invalid IP Address";
    case Reason::kWrongVideo:
      return "Not authorized for that video";
    case Reason::kTooManyViewers:
      return "Too many viewers";
    case Reason::kSessionEnded:
      return "Session Ended";
    case Reason::kSuccess:
      return "Success";
  }
  return "Invalid Auth Token";  // unreachable for a valid enum value
}

Decision decide(const Ticket* ticket, const PlayRequest& req, int64_t now) {
  Decision d;
  if (ticket == nullptr) {
    d.reason = Reason::kInvalidAuthToken;
    return d;
  }
  d.ip_after = ticket->ip;
  d.reason = check_ticket(*ticket, req, now);
  if (d.reason != Reason::kSuccess) return d;
  if (ticket->uses <= 0) {
    d.reason = Reason::kExceededMaxViews;
    return d;
  }
  IpCheck ip = check_ip(ticket->ip, req.ip);
  if (!ip.allowed) {
    d.reason = Reason::kInvalidIp;
    return d;
  }
  if (!pattern_list_match(ticket->video, req.video)) {
    d.reason = Reason::kWrongVideo;
    return d;
  }
  d.reason = Reason::kSuccess;
  d.ip_after = std::move(ip.ip_after);
  return d;
}

Reason recheck(const Ticket& ticket, const PlayRequest& req, int64_t now) {
  const Reason first = check_ticket(ticket, req, now);
  if (first != Reason::kSuccess) return first;
  // A running session never binds: its address must already be admitted, so a
  // check that would bind a free auto slot counts as a refusal here.
  const IpCheck ip = check_ip(ticket.ip, req.ip);
  if (!ip.allowed || ip.ip_after != ticket.ip) return Reason::kInvalidIp;
  if (!pattern_list_match(ticket.video, req.video)) return Reason::kWrongVideo;
  return Reason::kSuccess;
}

LimitRuling rule_limit(const Ticket& ticket, std::size_t live) {
  LimitRuling ruling;
  if (ticket.max_viewers <= 0) return ruling;  // 0: no limit
  const auto max = static_cast<std::size_t>(ticket.max_viewers);
  if (live < max) return ruling;
  if (ticket.when_full == kWhenFullEndOldest) {
    ruling.end_oldest = live - max + 1;
  } else {
    ruling.refused = true;  // "deny", and anything unknown: never more screens than allowed
  }
  return ruling;
}

}  // namespace sevu::usher
