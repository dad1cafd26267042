#include "http/tls.hpp"

#include <stdexcept>

namespace sevu::http {

namespace ssl = boost::asio::ssl;

TlsFiles::TlsFiles(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), current_(load()) {}

std::shared_ptr<ssl::context> TlsFiles::load() const {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and later only; no compression, no renegotiation by the client.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file_, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + cert_file_ + ": " + ec.message());
  ctx->use_private_key_file(key_file_, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + key_file_ + ": " + ec.message());
  return ctx;
}

std::shared_ptr<ssl::context> TlsFiles::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

void TlsFiles::reload() {
  auto fresh = load();  // throws before anything changes
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(fresh);
}

}  // namespace sevu::http
