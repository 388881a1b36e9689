// The HTTP API: routes a request to its handler after the checks every route shares (method,
// bearer token for mutating calls, known query parameters). Answers JSON, Prometheus text, or an
// RFC 9457 problem. Control thread only.
#pragma once

#include <string>

#include "control/api_backend.hpp"
#include "control/http_message.hpp"

namespace postern::control {

class ApiRouter {
public:
    ApiRouter(ApiBackend &backend, std::string token) : backend_(backend), token_(std::move(token)) {}
    void handle(const Request &req, Reply reply);

private:
    ApiBackend &backend_;
    std::string token_;
};

inline constexpr const char *kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace postern::control
