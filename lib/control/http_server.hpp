// A small HTTP/1.1 server (Boost.Beast) on the control plane's io_context. Everything runs on
// that one thread, so handlers read control-plane state without locks. A slow or stuck client
// costs one connection slot and nothing else: every read and write has a deadline, headers and
// bodies have size limits (431, 413), and connections beyond the limit get 503 and are closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "control/http_message.hpp"

namespace boost::asio {
class io_context;
}

namespace postern::control {

struct HttpLimits {
    size_t max_body_bytes = 1u << 20;
    size_t max_header_bytes = 8192;
    size_t max_connections = 16;
    std::chrono::milliseconds request_timeout{5000};
};

class HttpServer {
public:
    using Handler = std::function<void(const Request &, Reply)>;

    HttpServer(boost::asio::io_context &ioc, HttpLimits limits, Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds and starts accepting; "" on success, else the reason.
    std::string listen(const std::string &host, uint16_t port);
    uint16_t port() const;  // the bound port (the real one when 0 was asked)
    // Closes the listener and every connection; pending operations end with operation_aborted.
    void stop();
    size_t connections() const;
    uint64_t rejected() const;  // connections refused over max_connections

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace postern::control
