// What --demo creates, so that the upstream docs' examples run unchanged
// against a fresh server (docs/operations.md, demo account).
#include "app/commands.hpp"

namespace sevu {

namespace {

constexpr int64_t kDemoCdn = 158;
constexpr int64_t kYear = 365 * 24 * 3600;  // docs/operations.md: a year of 365 days

}  // namespace

bool ensure_demo_account(Store& store, int64_t now) {
  if (store.account(kDemoCdn)) return false;
  Account a;
  a.cdn_id = kDemoCdn;
  a.username = "demo";
  a.api_key = "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE";
  a.secret = "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f";
  a.created = now;
  return store.insert_account(a);
}

bool ensure_demo_ticket(Store& store, int64_t now) {
  bool created = false;
  store.transaction([&] {
    // Recorded before the insert and in its transaction: the seed runs once,
    // whatever becomes of the ticket (or if the key was already taken).
    if (!store.account(kDemoCdn) || !store.mark_seeded("demo-example-ticket", now)) return;
    Ticket t;
    t.cdn_id = kDemoCdn;
    t.key = "mystream.53ffc996dd39d5.39102367";
    t.pass = "user123|randomdata";
    t.ip = "auto/24|auto/24";
    t.video = "my_video.mp4|my_folder/*";
    t.app = "demo-*";
    t.uses = 999;
    t.active = true;
    t.created = now;
    t.expires = now + kYear;
    created = store.insert_ticket(t);
  });
  return created;
}

}  // namespace sevu
