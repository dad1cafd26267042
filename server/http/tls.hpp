// TLS for a listener (docs/operations.md, TLS): a certificate chain and key
// loaded from PEM files into an OpenSSL context through Asio's ssl support.
// reload() reads the files again (SIGHUP, after a renewal): connections made
// from then on present the new certificate; open ones keep theirs. Internal to
// server/http/.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace sevu::http {

class TlsFiles {
 public:
  // Loads both files; throws std::runtime_error naming the file that failed.
  TlsFiles(std::string cert_file, std::string key_file);
  std::shared_ptr<boost::asio::ssl::context> current() const;
  // Loads the files again; on failure keeps the current context and rethrows.
  void reload();

 private:
  std::shared_ptr<boost::asio::ssl::context> load() const;

  const std::string cert_file_, key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace sevu::http
