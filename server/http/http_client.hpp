// The outbound HTTP/1.1 client (core/http_client.hpp) on one of the server's
// io_contexts: one connection per call, closed after its answer. Internal to
// server/http/; HttpServer::client() hands it out.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>

#include "core/http_client.hpp"

namespace sevu::http {

// Calls run on ioc, which exactly one thread runs (IoThreads): no strand.
std::unique_ptr<HttpClient> make_http_client(boost::asio::io_context& ioc);

}  // namespace sevu::http
