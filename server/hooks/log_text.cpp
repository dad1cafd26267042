#include "hooks/log_text.hpp"

#include "core/utf8.hpp"

namespace sevu::hooks {

std::string loggable(std::string_view text, std::size_t max_bytes) {
  return to_valid_utf8(text, max_bytes);
}

void make_loggable(Attempt& row) {
  for (std::string* field : {&row.key, &row.pass, &row.ip, &row.video, &row.app, &row.appinst,
                             &row.pageurl, &row.refurl, &row.reason, &row.server}) {
    *field = loggable(*field);
  }
}

}  // namespace sevu::hooks
