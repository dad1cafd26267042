#include "usher_service/attempt_log.hpp"

#include "core/utf8.hpp"

namespace sevu::usher_service {

Attempt attempt_row(const UsherRequest& req, int64_t cdn_id, bool success,
                    const std::string& reason, int64_t now, const std::string& server) {
  Attempt row;
  row.cdn_id = cdn_id;
  row.datetime = now;
  if (is_publish(req.action)) {
    row.appinst = "publish";  // key and pass stay empty: a password is never logged
  } else {
    row.key = req.credentials.key.value_or("");
    row.pass = req.credentials.pass.value_or("");
    row.appinst = req.protocol;
  }
  row.ip = req.client_ip;
  row.video = req.video;
  row.app = req.app;
  row.pageurl = req.pageurl;
  row.refurl = req.refurl;
  row.success = success;
  row.reason = reason;
  row.server = server;
  make_loggable(row);
  return row;
}

void log_attempt(Store& store, const UsherRequest& req, int64_t cdn_id, bool success,
                 const std::string& reason, int64_t now, const std::string& server) {
  store.hold_attempt(attempt_row(req, cdn_id, success, reason, now, server));
}

void make_loggable(Attempt& row) {
  for (std::string* field : {&row.key, &row.pass, &row.ip, &row.video, &row.app, &row.appinst,
                             &row.pageurl, &row.refurl, &row.reason, &row.server}) {
    make_storable_text(*field, kMaxLoggedField);
  }
}

}  // namespace sevu::usher_service
